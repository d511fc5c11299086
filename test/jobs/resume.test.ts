import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { createTestConnector } from '../support/test-connector.js';
import { createWorker } from '../../src/deps.js';
import { emptyProgress } from '../../src/jobs/create.js';
import type { ImportWorker } from '../../src/jobs/worker.js';
import type { NormalizedItem } from '../../src/connectors/connector.js';

let h: Harness;
let worker: ImportWorker | undefined;
afterEach(async () => {
  await worker?.close();
  await h?.cleanup();
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };

describe('resume after a crash between storing a batch and saving its progress', () => {
  it('counts the re-delivered batch once, and items already counted never again', async () => {
    h = await startHarness({ worker: false });
    const config = { base_url: 'https://example.com', scope: 'resume', count: 30 };
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: config, options: { batch_size: 10 } }, ctx);
    const connector = createTestConnector(config);
    const pages: NormalizedItem[][] = [];
    for await (const page of connector.pages({ cursor: null, since: null, batchSize: 10, includeComments: true, signal: new AbortController().signal })) {
      pages.push(page.records.map((r) => connector.normalize(r)));
    }
    const storeCtx = { tenantId: null, sourceType: 'github' as const, sourceInstance: 'example.com', jobId: job.job_id };
    // a worker that died: batch 1 stored and saved; batch 2 stored, progress never saved
    await h.deps.records.transition(job.job_id, 'processing', {}, 'dead-worker');
    await h.deps.store.upsertBatch({ ...storeCtx, batchNo: 1 }, pages[0]!, []);
    await h.deps.records.saveProgress(job.job_id, 'dead-worker', {
      progress: { ...emptyProgress(), total_items: 30, processed_items: 10, successful_items: 10, percentage: 33.3, current_batch: 1, total_batches: 3 },
      checkpoint: JSON.stringify({ cursor: JSON.stringify({ next: 1 }), maxUpdatedAt: null, since: null }),
      items: [], counters: {},
    });
    await h.deps.store.upsertBatch({ ...storeCtx, batchNo: 2 }, pages[1]!, []);

    worker = createWorker(h.deps);
    await worker.start();
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ total_items: 30, processed_items: 30, successful_items: 30, skipped_items: 0, current_batch: 3 });
    const logged = await h.deps.store.jobItems(job.job_id, { limit: 100 });
    expect(logged.items).toHaveLength(30);
    expect(logged.items.every((i) => i.action === 'created')).toBe(true);
  });

  it('an item met again in a later batch of the same run is not counted twice', async () => {
    h = await startHarness({ worker: false });
    const config = { base_url: 'https://example.com', scope: 'dup', count: 10 };
    const connector = createTestConnector(config);
    const items: NormalizedItem[] = [];
    for await (const page of connector.pages({ cursor: null, since: null, batchSize: 10, includeComments: true, signal: new AbortController().signal })) {
      items.push(...page.records.map((r) => connector.normalize(r)));
    }
    const storeCtx = { tenantId: null, sourceType: 'github' as const, sourceInstance: 'example.com', jobId: crypto.randomUUID() };
    const first = await h.deps.store.upsertBatch({ ...storeCtx, batchNo: 1 }, items.slice(0, 6), []);
    expect(first.every((o) => o.countable && o.action === 'created')).toBe(true);
    const second = await h.deps.store.upsertBatch({ ...storeCtx, batchNo: 2 }, items.slice(4), []);
    expect(second.filter((o) => o.countable).map((o) => o.external_id)).toEqual(items.slice(6).map((i) => i.external_id));
  });
});
