/**
 * CONTRACT §8 "one bad item": an item the database refuses fails alone with the database's reason,
 * counted in failed_items, on PostgreSQL and on PGlite; the job completes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import type { SqlItemStore } from '../../src/store/work-items.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const ctx = { tenantId: null, requestId: 'req-1', correlationId: null, idempotencyKey: null };

describe.each([['pglite', false], ['postgres', true]] as const)('items the database refuses, on %s', (_name, postgres) => {
  it('fail alone with the database reason; the job completes with exact counts', { timeout: 90_000 }, async () => {
    h = await startHarness({ postgres });
    const { job } = await h.deps.jobs.create({
      source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'refusals', count: 25, refused_items: [3, 17] },
      options: { batch_size: 10 },
    }, ctx);
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ processed_items: 25, successful_items: 23, failed_items: 2, current_batch: 3 });
    const failed = await h.deps.store.jobItems(job.job_id, { action: 'failed', limit: 100 });
    expect(failed.items.map((i) => i.key).sort()).toEqual(['T-17', 'T-3']);
    for (const item of failed.items) {
      expect(item.error).toMatch(/^refused by the database \(SQLSTATE 22008\): date\/time field value out of range: "0000-01-01T00:00:00.000Z"/);
    }
    const db = (h.deps.store as SqlItemStore).db;
    const rows = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM work_items');
    expect(rows.rows[0]!.n).toBe('23');
    const logged = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM job_items WHERE job_id = $1', [job.job_id]);
    expect(logged.rows[0]!.n).toBe('25');
  });
});
