/** The /health probe over the real clients: a Redis PING (timed) and a store ping. */
import type { HealthReport } from './deps.js';

export function healthProbe(
  redis: { ping(): Promise<unknown> },
  store: { ping(): Promise<void> },
  /** nanoseconds; replaceable so a test can tell what was timed */
  clock: () => bigint = () => process.hrtime.bigint(),
): () => Promise<HealthReport> {
  // Timed on its own: a slow database check beside it must not show as Redis latency.
  const timedPing = async (): Promise<number> => {
    const started = clock();
    await redis.ping();
    return Math.round(Number(clock() - started) / 10_000) / 100;
  };
  return async () => {
    const [latency_ms, dbUp] = await Promise.all([
      timedPing().catch(() => null),
      store.ping().then(() => true, () => false),
    ]);
    return {
      redis: latency_ms === null ? { status: 'down' } : { status: 'up', latency_ms },
      database: { status: dbUp ? 'up' : 'down' },
    };
  };
}
