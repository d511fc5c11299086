import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { MAX_ITEM_BYTES } from '../../src/jobs/normalize-page.js';

let h: Harness;
afterEach(async () => h?.cleanup());

const ctx = { tenantId: null, requestId: 'req-1', correlationId: null, idempotencyKey: null };
const input = (config: Record<string, unknown>) => ({
  source_type: 'github' as const,
  source_config: { base_url: 'https://example.com', scope: `s-${Math.random()}`, ...config },
  options: { batch_size: 10 },
});

describe('items that fail alone', () => {
  it('an item over 5 MiB fails with ITEM_TOO_LARGE and its size; one just under is stored; the job goes on', async () => {
    h = await startHarness();
    // 'ü' is 2 bytes in UTF-8: index 4 ends just over the limit, index 12 just under it (the rest of the item is < 1 KiB)
    const over = MAX_ITEM_BYTES / 2 + 1;
    const { job } = await h.deps.jobs.create(input({ count: 20, huge_items: [4], huge_chars: over }), ctx);
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ processed_items: 20, successful_items: 19, failed_items: 1 });
    const failed = (await h.deps.store.jobItems(job.job_id, { action: 'failed', limit: 10 })).items;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ key: 'T-4', item_id: null });
    const size = Number(/(\d+) bytes/.exec(failed[0]!.error!)?.[1]);
    expect(failed[0]!.error).toMatch(/^ITEM_TOO_LARGE: /);
    expect(size).toBeGreaterThan(MAX_ITEM_BYTES);
    expect(size).toBeLessThan(MAX_ITEM_BYTES + 2048);
    const stored = await h.deps.store.listItems({ tenantId: null, limit: 100 });
    expect(stored.items.map((i) => i.key)).not.toContain('T-4');

    const under = MAX_ITEM_BYTES / 2 - 2048;
    const next = await h.deps.jobs.create(input({ count: 1, huge_items: [0], huge_chars: under }), ctx);
    const ok = await h.waitFor(next.job.job_id, undefined, 60_000);
    expect(ok.progress).toMatchObject({ processed_items: 1, successful_items: 1, failed_items: 0 });
  });

  it('records that cannot be identified are each counted and listed, not collapsed into one', async () => {
    h = await startHarness();
    const { job } = await h.deps.jobs.create(input({ count: 25, nameless_items: [1, 2, 3, 21] }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.progress).toMatchObject({ processed_items: 25, successful_items: 21, failed_items: 4 });
    const failed = (await h.deps.store.jobItems(job.job_id, { action: 'failed', limit: 10 })).items;
    expect(failed.map((f) => f.external_id).sort()).toEqual(['unknown:1:1', 'unknown:1:2', 'unknown:1:3', 'unknown:3:1']);
    expect(failed.every((f) => f.key === null && /^item \d+ has no title$/.test(f.error!))).toBe(true);
  });
});
