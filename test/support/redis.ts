/**
 * Real Redis for tests: its own database index (TEST_REDIS_DB, default 15) and a key prefix unique
 * to the test file, so files run in parallel without touching each other; cleanup deletes them.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_DB = Number(process.env.TEST_REDIS_DB ?? 15);
export const TEST_REDIS_URL = `redis://127.0.0.1:6379/${TEST_REDIS_DB}`;

export interface TestRedis {
  redis: Redis;
  prefix: string;
  url: string;
  cleanup(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const prefix = `t:${randomUUID().slice(0, 8)}:`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  return {
    redis,
    prefix,
    url: TEST_REDIS_URL,
    async cleanup() {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Every key and value under the prefix, sorted by key: for "no credential anywhere" and "nothing changed" checks. */
export async function dumpValues(redis: Redis, prefix: string): Promise<string> {
  const out: [string, string][] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') out.push([key, (await redis.get(key)) ?? '']);
      else if (type === 'hash') out.push([key, JSON.stringify(await redis.hgetall(key))]);
      else if (type === 'list') out.push([key, JSON.stringify(await redis.lrange(key, 0, -1))]);
      else if (type === 'zset') out.push([key, JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))]);
      else if (type === 'set') out.push([key, JSON.stringify((await redis.smembers(key)).sort())]);
      else if (type === 'stream') out.push([key, JSON.stringify(await redis.xrange(key, '-', '+'))]);
    }
    cursor = next;
  } while (cursor !== '0');
  return out
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}\n${v}`)
    .join('\n');
}
