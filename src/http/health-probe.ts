/** The /health probe over the real clients: a Redis PING (timed) and a store ping. */
import type { HealthReport } from './deps.js';

export function healthProbe(
  redis: { ping(): Promise<unknown> },
  store: { ping(): Promise<void> },
): () => Promise<HealthReport> {
  return async () => {
    const started = process.hrtime.bigint();
    const [redisUp, dbUp] = await Promise.all([
      redis.ping().then(() => true, () => false),
      store.ping().then(() => true, () => false),
    ]);
    const latency_ms = Math.round(Number(process.hrtime.bigint() - started) / 10_000) / 100;
    return {
      redis: redisUp ? { status: 'up', latency_ms } : { status: 'down' },
      database: { status: dbUp ? 'up' : 'down' },
    };
  };
}
