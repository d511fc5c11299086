/**
 * Callbacks across worker processes (CONTRACT §8): an attempt whose process is SIGKILLed is made
 * again by another process, and two processes polling one outbox never make the same attempt twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startHarness, type Harness } from '../support/harness.js';
import { spawnWorker, stop } from '../support/processes.js';
import { startReceiver, until, type Receiver } from '../support/receiver.js';

let h: Harness;
let hook: Receiver | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stop(c, 'SIGKILL');
  await hook?.close();
  hook = undefined;
  await h?.cleanup();
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };
const env = { WEBHOOK_SECRET: 'whsec-test-0123456789abcdef0123456789', SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' };
const state = (id: string) => h.deps.jobs.callback(id, null);

// Worker processes take a tsx start each: on a loaded 2-core machine that alone can take most of 30 s.
describe('callbacks and worker processes', { timeout: 120_000 }, () => {
  it('SIGKILL while the callback is being sent: another worker process delivers it', async () => {
    h = await startHarness({ worker: false, postgres: true, env });
    // the first attempt is held open, as if the process died before the receiver answered
    hook = await startReceiver((_, n) => (n === 1 ? null : { status: 204 }));
    children.push(await spawnWorker(h.env));
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'crash-cb', count: 5 }, callback_url: hook.url }, ctx);
    await until('the first attempt', () => hook!.hits.length === 1, 60_000);
    await stop(children[0]!, 'SIGKILL');
    expect(await state(job.job_id)).toMatchObject({ status: 'pending', attempts: 1 });
    children.push(await spawnWorker(h.env));
    await until('delivery', async () => (await state(job.job_id))?.status === 'delivered', 60_000);
    expect(hook.hits).toHaveLength(2);
    expect(hook.hits[1]!.body).toBe(hook.hits[0]!.body);
    expect(JSON.parse(hook.hits[1]!.body)).toMatchObject({ job_id: job.job_id, status: 'completed' });
    expect(await state(job.job_id)).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
  });

  it('two worker processes never make the same attempt twice', async () => {
    h = await startHarness({ worker: false, postgres: true, env });
    // every job's first attempt fails, so retries race between the processes too
    const seen = new Map<string, number>();
    hook = await startReceiver((hit) => {
      const id = JSON.parse(hit.body).job_id as string;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return { status: seen.get(id) === 1 ? 503 : 204 };
    });
    children.push(await spawnWorker(h.env), await spawnWorker(h.env));
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: `two-${i}`, count: 2 }, callback_url: hook.url }, ctx);
      ids.push(job.job_id);
    }
    for (const id of ids) await until(`delivery of ${id}`, async () => (await state(id))?.status === 'delivered', 60_000);
    expect(ids.map((id) => seen.get(id))).toEqual(ids.map(() => 2));
    expect(hook.hits).toHaveLength(16);
    for (const id of ids) expect(await state(id)).toMatchObject({ attempts: 2 });
  });
});
