/**
 * CONTRACT §8: the incremental watermark advances with each stored batch (as far as the source
 * promises nothing older is left), so an import that fails mid-way does not make the next
 * incremental run start from scratch. And a run that throws where nothing catches it (Redis
 * failing under it) goes back to the queue instead of leaving its record processing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import type { JobRecords } from '../../src/jobs/record.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const ctx = { tenantId: null, requestId: 'req-1', correlationId: null, idempotencyKey: null };
const input = (config: Record<string, unknown>, options: Record<string, unknown> = {}) => ({
  source_type: 'github' as const,
  source_config: { base_url: 'https://example.com', ...config },
  options: { batch_size: 10, ...options },
});
const itemUpdatedAt = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 60_000);

describe('watermark per stored batch', () => {
  it('an import failing mid-way leaves a watermark; the next incremental run starts from it', async () => {
    h = await startHarness();
    const scope = 'wm-scope';
    const failed = await h.waitFor((await h.deps.jobs.create(input({ count: 40, scope, fail_at_page: 2 }), ctx)).job.job_id);
    expect(failed).toMatchObject({ status: 'failed', error_code: 'SOURCE_UNAVAILABLE' });
    expect(failed.progress.processed_items).toBe(20);
    const mark = await h.deps.store.getWatermark({ tenantId: null, sourceType: 'github', sourceInstance: 'example.com', scope });
    // pages 0 and 1 stored: nothing updated before item 20 is left to fetch
    expect(mark?.toISOString()).toBe(itemUpdatedAt(20).toISOString());
    const inc = await h.waitFor((await h.deps.jobs.create(input({ count: 40, scope }, { mode: 'incremental' }), ctx)).job.job_id);
    // since = item 20 minus the 5-minute overlap: items 15..39, of which 15..19 are unchanged
    expect(inc.progress).toMatchObject({ total_items: 25, processed_items: 25, successful_items: 20, skipped_items: 5 });
  });
});

describe('a run that throws where nothing catches it', () => {
  it('goes back to the queue and ends in a terminal state, never stuck processing', async () => {
    h = await startHarness();
    const records = h.deps.records as JobRecords;
    const transition = records.transition.bind(records);
    let thrown = 0;
    // Redis failing exactly when the run records its end
    records.transition = async (...args: Parameters<JobRecords['transition']>) => {
      if (args[1] === 'failed' && thrown++ === 0) throw new Error('Connection is closed.');
      return transition(...args);
    };
    const { job } = await h.deps.jobs.create(input({ count: 30, scope: 'throws', fail_at_page: 1 }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(thrown).toBe(2);
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_UNAVAILABLE' });
    expect(done.progress.processed_items).toBe(10);
  });
});
