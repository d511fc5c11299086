import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../support/harness.js';
import { spawnWorker, stop } from '../support/processes.js';

let h: Harness;
let closeHook = () => undefined as unknown;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stop(c, 'SIGKILL');
  closeHook();
  await h?.cleanup();
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };
const env = { WEBHOOK_SECRET: 'whsec-test-0123456789abcdef0123456789', SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' };
/** A worker whose runs hang before their first batch (a job that blocks its worker, until killed). */
const HANGING = { TEST_PAGE_DELAY_MS: '600000' };

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function hook() {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (bodies.push(body), res.writeHead(204).end()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closeHook = () => server.close();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

/** `times` times over: a worker whose run hangs takes the job and is SIGKILLed (one worker alive at a time). */
async function loseWorkers(jobId: string, times: number): Promise<void> {
  const runs = async () => Number((await h.deps.redis.get(h.deps.keys.unfinishedRuns(jobId))) ?? 0);
  for (let lost = 1; lost <= times; lost++) {
    const child = await spawnWorker({ ...h.env, ...HANGING });
    children.push(child);
    await until(`run ${lost} to start`, async () => (await runs()) === lost);
    await stop(child, 'SIGKILL');
  }
}

describe('poison jobs', { timeout: 180_000 }, () => {
  it('a job whose worker is lost 3 times in a row fails "worker lost 3 times": scope freed, callback sent', async () => {
    h = await startHarness({ worker: false, postgres: true, env });
    const receiver = await hook();
    const source = { base_url: 'https://example.com', scope: 'poison', count: 5 };
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: source, callback_url: receiver.url }, ctx);
    await loseWorkers(job.job_id, 3);
    // a healthy worker would import the job; it fails it instead of running it a 4th time
    children.push(await spawnWorker(h.env));
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'failed', error_code: 'INTERNAL_ERROR', error_message: 'worker lost 3 times' });
    expect(done.progress.processed_items).toBe(0);
    expect(await h.deps.store.listItems({ tenantId: null, project: 'poison', limit: 10 })).toMatchObject({ items: [] });
    await until('the callback', async () => receiver.bodies.length > 0, 15_000);
    expect(JSON.parse(receiver.bodies[0]!)).toMatchObject({ job_id: job.job_id, status: 'failed', error_message: 'worker lost 3 times' });
    // the scope lock is released: the next import of the same scope runs at once
    const next = await h.deps.jobs.create({ source_type: 'github', source_config: source }, ctx);
    expect((await h.waitFor(next.job.job_id, undefined, 30_000)).status).toBe('completed');
  });

  it('a job lost twice, then run by a healthy worker, completes with every item once', async () => {
    h = await startHarness({ worker: false, postgres: true, env });
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'twice', count: 25 }, options: { batch_size: 10 } }, ctx);
    await loseWorkers(job.job_id, 2);
    children.push(await spawnWorker(h.env));
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ processed_items: 25, successful_items: 25, current_batch: 3, total_batches: 3 });
    expect(await h.deps.redis.exists(h.deps.keys.unfinishedRuns(job.job_id))).toBe(0);
  });
});
