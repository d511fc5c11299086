import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startHarness, type Harness } from '../support/harness.js';
import { spawnWorker, stop } from '../support/processes.js';

let h: Harness;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stop(c, 'SIGKILL');
  await h?.cleanup();
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };

async function allJobItems(h: Harness, jobId: string) {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.deps.store.jobItems(jobId, { limit: 1000, cursor });
    out.push(...page.items.map((i) => i.external_id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

// Each case spawns worker processes (a tsx start each): on a loaded 2-core machine that alone can
// take most of the default 30 s, so the cases get the same budget as their waits.
describe('worker processes', { timeout: 90_000 }, () => {
  it('SIGKILL mid-import: another worker resumes from the checkpoint and the job completes with exactly N items', async () => {
    h = await startHarness({ worker: false, postgres: true });
    children.push(await spawnWorker(h.env));
    const scope = 'crash-scope';
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope, count: 400, delay_ms: 30 }, options: { batch_size: 10 } }, ctx);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 8);
    await stop(children[0]!, 'SIGKILL');
    const atCrash = (await h.deps.records.get(job.job_id))!;
    expect(atCrash.status).toBe('processing');
    children.push(await spawnWorker(h.env));
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ total_items: 400, processed_items: 400, successful_items: 400, failed_items: 0, skipped_items: 0, percentage: 100 });
    expect(new Set(done.imported_items.map((i) => i.external_id)).size).toBe(400);
    expect(done.imported_items).toHaveLength(400);
    const logged = await allJobItems(h, job.job_id);
    expect(new Set(logged).size).toBe(400);
    expect(logged).toHaveLength(400);
    const stored = await h.deps.store.listItems({ tenantId: null, project: scope, limit: 1000 });
    expect(stored.items).toHaveLength(400);
  });

  it('two worker processes on one queue never run a job twice', async () => {
    h = await startHarness({ worker: false, postgres: true });
    children.push(await spawnWorker(h.env), await spawnWorker(h.env));
    const jobs = [];
    for (let i = 0; i < 8; i++) {
      const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: `multi-${i}`, count: 30, delay_ms: 20 }, options: { batch_size: 10 } }, ctx);
      jobs.push(job.job_id);
    }
    for (const id of jobs) {
      const done = await h.waitFor(id, undefined, 60_000);
      expect(done.status).toBe('completed');
      // a second run of the same job would find every item already stored: skipped, or counted twice
      expect(done.progress).toMatchObject({ processed_items: 30, successful_items: 30, skipped_items: 0, current_batch: 3 });
      expect(await allJobItems(h, id)).toHaveLength(30);
    }
  });

  it('SIGTERM: the worker checkpoints, hands the job back and another worker finishes it', async () => {
    h = await startHarness({ worker: false, postgres: true });
    children.push(await spawnWorker(h.env));
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'term', count: 200, delay_ms: 30 }, options: { batch_size: 10 } }, ctx);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 4);
    await stop(children[0]!, 'SIGTERM');
    expect(children[0]!.exitCode).toBe(0);
    expect(await h.deps.queue.getJobState(job.job_id)).toBe('waiting');
    children.push(await spawnWorker(h.env));
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done.progress).toMatchObject({ processed_items: 200, successful_items: 200, skipped_items: 0 });
  });
});
