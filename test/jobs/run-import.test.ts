import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { dumpValues } from '../support/redis.js';
import { fetchedPages } from '../support/test-connector.js';

let h: Harness;
afterEach(async () => h?.cleanup());

const ctx = { tenantId: null, requestId: 'req-1', correlationId: null, idempotencyKey: null };
const input = (config: Record<string, unknown>, options: Record<string, unknown> = {}) => ({
  source_type: 'github' as const,
  source_config: { base_url: 'https://example.com', scope: `s-${Math.random()}`, ...config },
  options: { batch_size: 10, ...options },
});

describe('run-import through the worker', () => {
  it('imports N items with exact counts, percentage 100 and every item once in the store', async () => {
    h = await startHarness();
    const { job } = await h.deps.jobs.create(input({ count: 35 }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ total_items: 35, processed_items: 35, successful_items: 35, failed_items: 0, skipped_items: 0, percentage: 100, current_batch: 4 });
    expect(done.imported_items).toHaveLength(35);
    expect(new Set(done.imported_items.map((i) => i.external_id)).size).toBe(35);
    const page = await h.deps.store.listItems({ tenantId: null, limit: 1000 });
    expect(page.items).toHaveLength(35);
    expect(page.items.every((it) => it.comments.length === 1)).toBe(true);
  });

  it('re-import of an unchanged source counts every item as skipped, a revision as updated', async () => {
    h = await startHarness();
    const scope = 'same-scope';
    const first = await h.deps.jobs.create(input({ count: 12, scope }), ctx);
    await h.waitFor(first.job.job_id);
    const again = await h.deps.jobs.create(input({ count: 12, scope }), ctx);
    const second = await h.waitFor(again.job.job_id);
    expect(second.progress).toMatchObject({ processed_items: 12, skipped_items: 12, successful_items: 0 });
    expect(second.imported_items.every((i) => i.action === 'unchanged')).toBe(true);
    const changed = await h.deps.jobs.create(input({ count: 12, scope, revision: 1 }), ctx);
    const third = await h.waitFor(changed.job.job_id);
    expect(third.progress).toMatchObject({ processed_items: 12, successful_items: 12, skipped_items: 0 });
    expect(third.imported_items.every((i) => i.action === 'updated')).toBe(true);
  });

  it('items that fail to normalize are counted and listed with their reason; the job goes on', async () => {
    h = await startHarness();
    const { job } = await h.deps.jobs.create(input({ count: 20, bad_items: [3, 17] }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ processed_items: 20, successful_items: 18, failed_items: 2 });
    const failed = await h.deps.store.jobItems(job.job_id, { action: 'failed', limit: 100 });
    expect(failed.items.map((i) => i.key).sort()).toEqual(['T-17', 'T-3']);
    expect(failed.items[0]!.error).toMatch(/has no title/);
  });

  it('a failing source fails the job with its code and keeps what was stored', async () => {
    h = await startHarness();
    const { job } = await h.deps.jobs.create(input({ count: 50, fail_at_page: 2, fail_code: 'SOURCE_AUTH_FAILED' }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_AUTH_FAILED' });
    expect(done.progress.processed_items).toBe(20);
    expect(done.completed_at).not.toBeNull();
  });

  it('incremental import after a change fetches only what changed since the watermark minus the overlap', async () => {
    h = await startHarness();
    const scope = 'inc-scope';
    await h.waitFor((await h.deps.jobs.create(input({ count: 30, scope }), ctx)).job.job_id);
    // items 0..9 move past the newest updated_at seen (2024-01-01 + 29 min) by one day
    const inc = await h.deps.jobs.create(input({ count: 30, scope, changed_below: 10 }, { mode: 'incremental' }), ctx);
    const done = await h.waitFor(inc.job.job_id);
    // overlap: 5 minutes before the watermark (29 min) lets items 24..29 through again, unchanged
    expect(done.progress).toMatchObject({ total_items: 16, successful_items: 10, skipped_items: 6 });
  });

  it('dry_run counts and stores nothing', async () => {
    h = await startHarness();
    const { job } = await h.deps.jobs.create(input({ count: 42 }, { dry_run: true }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('completed');
    expect(done.progress.total_items).toBe(42);
    expect((await h.deps.store.listItems({ tenantId: null, limit: 10 })).items).toHaveLength(0);
  });

  it('cancel mid-import stops at the batch boundary and nothing is written after it', async () => {
    h = await startHarness();
    const { job } = await h.deps.jobs.create(input({ count: 200, delay_ms: 60 }), ctx);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 2);
    const cancelled = await h.deps.jobs.cancel(job.job_id, null);
    expect(cancelled.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 400));
    const after = await h.deps.records.get(job.job_id);
    expect(after!.status).toBe('cancelled');
    expect(after!.progress).toEqual(cancelled.progress);
    expect(after!.completed_at).toBe(cancelled.completed_at);
    const stored = await h.deps.store.listItems({ tenantId: null, limit: 1000 });
    // at most the batch in flight was still written
    expect(stored.items.length).toBeLessThanOrEqual(cancelled.progress.processed_items + 10);
  });

  it('enqueueing the same job twice runs it once', async () => {
    h = await startHarness();
    const scope = `twice-${Date.now()}`;
    const { job } = await h.deps.jobs.create(input({ count: 20, scope }), ctx);
    const data = (await h.deps.queue.getJob(job.job_id))?.data;
    if (data) await h.deps.queue.add('run-import', data, { jobId: job.job_id });
    const done = await h.waitFor(job.job_id);
    expect(done.progress.processed_items).toBe(20);
    expect(fetchedPages.filter((p) => p.scope === scope)).toHaveLength(2);
  });

  it('credentials never reach the record, job.data or any Redis value in clear', async () => {
    h = await startHarness();
    const secret = 'ghp_SuperSecretToken_123456789';
    const { job } = await h.deps.jobs.create(input({ count: 5, token: secret }), ctx);
    expect(JSON.stringify(job)).not.toContain(secret);
    const queued = await h.deps.queue.getJob(job.job_id);
    expect(JSON.stringify(queued?.data ?? {})).not.toContain(secret);
    const everything = await dumpValues(h.deps.redis, h.prefix);
    expect(everything).toContain(job.job_id);
    expect(everything).not.toContain(secret);
    await h.waitFor(job.job_id);
    expect(await h.deps.redis.exists(h.deps.keys.credentials(job.job_id))).toBe(0);
  });

  it('runs at most one job per (tenant, source, instance, scope): the second waits as pending', async () => {
    h = await startHarness();
    const scope = 'one-at-a-time';
    const first = await h.deps.jobs.create(input({ count: 60, scope, delay_ms: 40 }), ctx);
    const second = await h.deps.jobs.create(input({ count: 60, scope, delay_ms: 40 }), ctx);
    const other = await h.deps.jobs.create(input({ count: 60, scope: 'another-scope', delay_ms: 40 }), ctx);
    await h.waitFor(first.job.job_id, (j) => j.progress.current_batch >= 2);
    expect((await h.deps.records.get(second.job.job_id))!.status).toBe('pending');
    expect((await h.waitFor(other.job.job_id, (j) => j.status !== 'pending')).status).not.toBe('pending');
    const a = await h.waitFor(first.job.job_id);
    const b = await h.waitFor(second.job.job_id);
    expect(b.status).toBe('completed');
    expect(Date.parse(b.started_at!)).toBeGreaterThanOrEqual(Date.parse(a.completed_at!));
  });
});
