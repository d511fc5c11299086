/**
 * Deletion detection (CONTRACT §13) through the worker and GET /api/items, on PGlite and PostgreSQL:
 * only a complete full import whose count agrees with the source marks its scope's unseen items
 * deleted; a later sighting restores them.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { JobRecord } from '../../src/jobs/types.js';
import type { WorkItem } from '../../src/store/types.js';
import { githubModule } from '../../src/connectors/github/index.js';
import { itemScopeKey } from '../../src/jobs/deletions.js';
import type { ImportJobData } from '../../src/jobs/queue.js';
import { httpEnv, type HttpEnv } from '../http/support.js';
import { createTestConnector, testConnectors } from '../support/test-connector.js';
import { startHarness } from '../support/harness.js';
import { createWorker } from '../../src/deps.js';
import { emptyProgress } from '../../src/jobs/create.js';
import type { NormalizedItem } from '../../src/connectors/connector.js';

const ctx = { tenantId: null, requestId: 'req-1', correlationId: null, idempotencyKey: null };

describe.each([['pglite', false], ['postgres', true]] as const)('deletions on %s', (_name, postgres) => {
  let env: HttpEnv;
  let app: FastifyInstance;
  beforeAll(async () => {
    env = await httpEnv({ worker: true, connectors: testConnectors, postgres });
    app = await env.app();
  }, 120_000);
  afterAll(() => env?.cleanup());

  let n = 0;
  const run = async (config: Record<string, unknown>, options: Record<string, unknown> = {}): Promise<JobRecord> => {
    const { job } = await env.harness.deps.jobs.create({
      source_type: 'github',
      source_config: { base_url: 'https://del.example.com', count: 10, ...config },
      options: { batch_size: 4, ...options },
    }, ctx);
    const done = await env.harness.waitFor(job.job_id);
    if (done.status === 'completed') await completedLine(done.job_id);
    return done;
  };
  const scopeName = () => `scope-${postgres}-${n++}`;
  const listed = async (project: string, includeDeleted = false): Promise<WorkItem[]> => {
    const res = await app.inject(`/api/items?project=${project}&limit=1000${includeDeleted ? '&include_deleted=true' : ''}`);
    expect(res.statusCode).toBe(200);
    return res.json().items;
  };
  const deletedKeys = async (project: string) =>
    (await listed(project, true)).filter((i) => i.deleted_at !== null).map((i) => i.key).sort();
  /** The end line follows the record's transition (deletions are marked in between): waited for. */
  const completedLine = async (jobId: string): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const line = env.logs.map((l) => JSON.parse(l)).find((l) => l.job_id === jobId && l.msg === 'import completed');
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no 'import completed' line for ${jobId}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('a full import after the source dropped 2 items marks exactly those 2; lists leave them out unless include_deleted', async () => {
    const scope = scopeName();
    const first = await run({ scope });
    expect(first.status).toBe('completed');
    expect(await completedLine(first.job_id)).toMatchObject({ items_deleted: 0 });
    const second = await run({ scope, drop_items: [3, 7] });
    expect(second.status).toBe('completed');
    expect(second.progress).toMatchObject({ processed_items: 8, skipped_items: 8, total_items: 8 });
    expect(await completedLine(second.job_id)).toMatchObject({ items_deleted: 2 });
    expect(await deletedKeys(scope)).toEqual(['T-3', 'T-7']);
    const present = await listed(scope);
    expect(present).toHaveLength(8);
    expect(present.every((i) => i.deleted_at === null)).toBe(true);
    const all = await listed(scope, true);
    expect(all).toHaveLength(10);
    const gone = all.find((i) => i.key === 'T-3')!;
    expect(Date.parse(gone.deleted_at!)).not.toBeNaN();
    // by id it is still there, saying when it went
    expect((await app.inject(`/api/items/${gone.id}`)).json()).toMatchObject({ key: 'T-3', deleted_at: gone.deleted_at });
    // a third run that sees the same source marks nothing more
    const third = await run({ scope, drop_items: [3, 7] });
    expect(await completedLine(third.job_id)).toMatchObject({ items_deleted: 0 });
    expect(await deletedKeys(scope)).toEqual(['T-3', 'T-7']);
  });

  it('a re-appearing item is restored (deleted_at null) and counted as updated', async () => {
    const scope = scopeName();
    await run({ scope });
    await run({ scope, drop_items: [1] });
    expect(await deletedKeys(scope)).toEqual(['T-1']);
    const back = await run({ scope });
    expect(back.progress).toMatchObject({ processed_items: 10, successful_items: 1, skipped_items: 9 });
    expect(back.imported_items.find((i) => i.key === 'T-1')?.action).toBe('updated');
    expect(await deletedKeys(scope)).toEqual([]);
    expect(await listed(scope)).toHaveLength(10);
  });

  it('a failed, a cancelled, an incremental, a from-since and a count-mismatch run mark nothing', async () => {
    const scope = scopeName();
    await run({ scope });
    const failed = await run({ scope, drop_items: [0], fail_at_page: 1 });
    expect(failed.status).toBe('failed');
    const mismatch = await run({ scope, drop_items: [0], total_offset: 1 });
    expect(mismatch.status).toBe('completed');
    expect(await completedLine(mismatch.job_id)).toMatchObject({ items_deleted: 0, deletions_skipped: 'the run met 9 items, the source counts 10' });
    const noTotal = await run({ scope, drop_items: [0], no_total: true });
    expect(await completedLine(noTotal.job_id)).toMatchObject({ items_deleted: 0, deletions_skipped: 'the source declares no total' });
    const incremental = await run({ scope, drop_items: [0] }, { mode: 'incremental' });
    expect(incremental.status).toBe('completed');
    expect(await completedLine(incremental.job_id)).toMatchObject({ items_deleted: 0 });
    const since = await run({ scope, drop_items: [0] }, { since: '2023-01-01T00:00:00Z' });
    expect(await completedLine(since.job_id)).toMatchObject({ items_deleted: 0, deletions_skipped: expect.stringContaining('since') });

    const { job } = await env.harness.deps.jobs.create({
      source_type: 'github',
      source_config: { base_url: 'https://del.example.com', count: 10, scope, drop_items: [0], delay_ms: 150 },
      options: { batch_size: 4 },
    }, ctx);
    await env.harness.waitFor(job.job_id, (j) => j.progress.processed_items >= 4);
    await env.harness.deps.jobs.cancel(job.job_id, null);
    expect((await env.harness.waitFor(job.job_id)).status).toBe('cancelled');

    expect(await deletedKeys(scope)).toEqual([]);
    expect(await listed(scope)).toHaveLength(10);
  });

  it('an item that failed to normalize was seen; an unidentifiable record stops all marking', async () => {
    const scope = scopeName();
    await run({ scope });
    const bad = await run({ scope, drop_items: [9], bad_items: [2] });
    expect(bad.progress).toMatchObject({ processed_items: 9, failed_items: 1 });
    expect(await completedLine(bad.job_id)).toMatchObject({ items_deleted: 1 });
    expect(await deletedKeys(scope)).toEqual(['T-9']);
    const nameless = await run({ scope, drop_items: [8, 9], nameless_items: [2] });
    expect(await completedLine(nameless.job_id)).toMatchObject({ items_deleted: 0, deletions_skipped: expect.stringContaining('identified') });
    expect(await deletedKeys(scope)).toEqual(['T-9']);
  });

  it("never marks another scope's items of the same source instance", async () => {
    const a = scopeName();
    const b = scopeName();
    await run({ scope: a });
    await run({ scope: b, id_offset: 1000, count: 5 });
    const onlyA = await run({ scope: a, drop_items: [0] });
    expect(await completedLine(onlyA.job_id)).toMatchObject({ items_deleted: 1 });
    expect(await deletedKeys(a)).toEqual(['T-0']);
    expect(await deletedKeys(b)).toEqual([]);
    expect(await listed(b)).toHaveLength(5);
  });

  it('include_deleted must be a boolean', async () => {
    const res = await app.inject('/api/items?include_deleted=maybe');
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
  });
});

describe('the items’ deletion scope', () => {
  const data = (config: Record<string, unknown>) => ({ scope: 'o/r', config: { owner: 'o', repo: 'r', ...config } }) as unknown as ImportJobData;

  it('a read narrower than the scope (GitHub state, pull requests) is a scope of its own', () => {
    expect(itemScopeKey(githubModule, data({}))).toBe('o/r');
    expect(itemScopeKey(githubModule, data({ state: 'all' }))).toBe('o/r');
    expect(itemScopeKey(githubModule, data({ state: 'open' }))).toBe('o/r\nstate=open');
    expect(itemScopeKey(githubModule, data({ include_pull_requests: true }))).toBe('o/r\npull_requests');
  });
});

describe('a full run resumed after a crash', () => {
  it('keeps its job id, so what it saw before the crash is not marked deleted', async () => {
    const lines: string[] = [];
    const h = await startHarness({ worker: false, logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }) });
    const worker = createWorker(h.deps);
    try {
      const items = async (config: Record<string, unknown>) => {
        const c = createTestConnector({ base_url: 'https://example.com', scope: 'resumed', count: 10, ...config });
        const pages: NormalizedItem[][] = [];
        for await (const p of c.pages({ cursor: null, since: null, batchSize: 4, includeComments: true, signal: new AbortController().signal })) {
          pages.push(p.records.map((r) => c.normalize(r)));
        }
        return pages;
      };
      const storeCtx = { tenantId: null, sourceType: 'github' as const, sourceInstance: 'example.com', scope: 'resumed' };
      // an earlier import stored all 10
      await h.deps.store.upsertBatch({ ...storeCtx, jobId: randomUUID(), batchNo: 1 }, (await items({})).flat(), []);
      const config = { base_url: 'https://example.com', scope: 'resumed', count: 10, drop_items: [3, 7] };
      const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: config, options: { batch_size: 4 } }, ctx);
      // its worker died after storing and saving the first page (T-0, 1, 2, 4)
      const pages = await items({ drop_items: [3, 7] });
      await h.deps.records.transition(job.job_id, 'processing', {}, 'dead-worker');
      await h.deps.store.upsertBatch({ ...storeCtx, jobId: job.job_id, batchNo: 1 }, pages[0]!, []);
      await h.deps.records.saveProgress(job.job_id, 'dead-worker', {
        progress: { ...emptyProgress(), total_items: 8, processed_items: 4, skipped_items: 4, percentage: 50, current_batch: 1, total_batches: 2 },
        checkpoint: JSON.stringify({ cursor: JSON.stringify({ next: 1 }), maxUpdatedAt: null, since: null }),
        items: [], counters: {},
      });
      await worker.start();
      expect((await h.waitFor(job.job_id)).progress).toMatchObject({ processed_items: 8, total_items: 8 });
      const deadline = Date.now() + 20_000;
      while (!lines.some((l) => l.includes(job.job_id) && l.includes('"import completed"'))) {
        if (Date.now() > deadline) throw new Error('no end line');
        await new Promise((r) => setTimeout(r, 25));
      }
      const end = JSON.parse(lines.find((l) => l.includes(job.job_id) && l.includes('"import completed"'))!);
      expect(end).toMatchObject({ items_deleted: 2 });
      const all = (await h.deps.store.listItems({ tenantId: null, include_deleted: true, limit: 100 })).items;
      expect(all.filter((i) => i.deleted_at !== null).map((i) => i.key).sort()).toEqual(['T-3', 'T-7']);
    } finally {
      await worker.close();
      await h.cleanup();
    }
  });
});
