import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { checkRedisDatabase, databaseOf } from '../../src/redis-database.js';
import { StartupError } from '../../src/config.js';

const clients: Redis[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
const client = (url: string) => {
  const c = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
};

describe('REDIS_URL database check', () => {
  it('reads the database from the URL path', () => {
    expect(databaseOf('redis://h:6379/7')).toBe(7);
    expect(databaseOf('redis://h:6379')).toBe(0);
  });

  it('passes on a database the server has', async () => {
    const url = 'redis://127.0.0.1:6379/15';
    await expect(checkRedisDatabase(client(url), url)).resolves.toBeUndefined();
  });

  it('refuses a database the server cannot select, naming REDIS_URL', async () => {
    const url = 'redis://127.0.0.1:6379/99';
    const err = await checkRedisDatabase(client(url), url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(/^cannot start: REDIS_URL names database 99/);
  });

  it('does not hold start-up while Redis is unreachable', async () => {
    const url = 'redis://127.0.0.1:1/3';
    await expect(checkRedisDatabase(client(url), url)).resolves.toBeUndefined();
  });
});
