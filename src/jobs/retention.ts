/**
 * The job item log (`job_items`, behind GET /api/imports/{id}/items) lives as long as its job
 * record: a sweep drops the log of jobs whose Redis record has expired. A job still running keeps
 * its record alive (every save refreshes the TTL), so its log — which crash recovery counts on —
 * is never touched, however long it runs. The same sweep prunes the change feed past its
 * retention (policy retention.changeFeedDays).
 */
import type { Logger } from 'pino';
import type { ItemStore } from '../store/types.js';
import type { JobRecords } from './record.js';
import type { Policy } from '../policy.js';

export async function sweepJobItems(records: JobRecords, store: ItemStore, ttlSeconds: number, limit: number): Promise<number> {
  const candidates = await store.jobsRecordedBefore(new Date(Date.now() - ttlSeconds * 1000), limit);
  if (candidates.length === 0) return 0;
  const alive = await Promise.all(candidates.map((id) => records.get(id)));
  return store.deleteJobItems(candidates.filter((_, i) => alive[i] === null));
}

/** Runs the sweep now and then every `sweepEveryMs` until the returned stop function is called. */
export function scheduleSweep(
  records: JobRecords, store: ItemStore, ttlSeconds: number, log: Logger, policy: Policy['retention'],
): () => void {
  const failed = (what: string) => (err: unknown) => log.warn({ error: err instanceof Error ? err.message : String(err) }, `${what} failed`);
  const run = () =>
    Promise.all([
      sweepJobItems(records, store, ttlSeconds, policy.sweepBatch).then(
        (n) => n > 0 && log.info({ rows: n }, 'dropped the item logs of expired jobs'),
        failed('item log sweep'),
      ),
      store.pruneChanges(new Date(Date.now() - policy.changeFeedDays * 86_400_000), policy.sweepBatch * 10).then(
        (n) => n > 0 && log.info({ rows: n, days: policy.changeFeedDays }, 'dropped change-feed rows past their retention'),
        failed('change feed pruning'),
      ),
    ]);
  void run();
  const timer = setInterval(run, policy.sweepEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}
