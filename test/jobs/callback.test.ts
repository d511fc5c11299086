import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHarness, type Harness } from '../support/harness.js';
import { AppError } from '../../src/errors.js';

let h: Harness;
let close: (() => void) | undefined;
afterEach(async () => {
  close?.();
  await h?.cleanup();
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };

async function receiver(failFirst: number) {
  const hits: { headers: IncomingHttpHeaders; body: string }[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      if (calls <= failFirst) return void res.writeHead(503).end();
      hits.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => server.close();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits, calls: () => calls };
}

describe('completion callback', () => {
  it('POSTs the final job JSON signed with WEBHOOK_SECRET, retrying a failing receiver', async () => {
    const secret = 'whsec-test-0123456789abcdef0123456789';
    h = await startHarness({ env: { WEBHOOK_SECRET: secret, SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const hook = await receiver(2);
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'cb', count: 5 }, callback_url: hook.url }, ctx);
    await h.waitFor(job.job_id);
    const deadline = Date.now() + 15_000;
    while (hook.hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hook.calls()).toBe(3);
    const [hit] = hook.hits;
    const sent = JSON.parse(hit!.body);
    expect(sent).toMatchObject({ job_id: job.job_id, status: 'completed' });
    expect(hit!.headers['x-signature-256']).toBe(`sha256=${createHmac('sha256', secret).update(hit!.body).digest('hex')}`);
  });

  it('is sent for a job cancelled before it ever ran, and its queue entry is settled', async () => {
    h = await startHarness({ env: { WEBHOOK_SECRET: 'whsec-test-0123456789abcdef0123456789', SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const hook = await receiver(0);
    const config = { base_url: 'https://example.com', scope: 'busy', count: 1000, delay_ms: 2000 };
    const running = (await h.deps.jobs.create({ source_type: 'github', source_config: config, options: { batch_size: 1 } }, ctx)).job;
    await h.waitFor(running.job_id, (j) => j.status === 'processing');
    // same scope: waits as pending behind the running one
    const waiting = (await h.deps.jobs.create({ source_type: 'github', source_config: config, callback_url: hook.url }, ctx)).job;
    const cancelled = await h.deps.jobs.cancel(waiting.job_id, null);
    const deadline = Date.now() + 10_000;
    while (hook.hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.body)).toEqual(cancelled);
    while ((await h.deps.queue.getJobState(waiting.job_id)) !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await h.deps.queue.getJobState(waiting.job_id)).toBe('completed');
    await h.deps.jobs.cancel(running.job_id, null);
  });

  it('is sent when the cancel lands while a batch is being written (the progress save is refused)', async () => {
    h = await startHarness({ env: { WEBHOOK_SECRET: 'whsec-test-0123456789abcdef0123456789', SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const hook = await receiver(0);
    const upsert = h.deps.store.upsertBatch.bind(h.deps.store);
    h.deps.store.upsertBatch = async (c, items, failures) => {
      const outcomes = await upsert(c, items, failures);
      await h.deps.jobs.cancel(c.jobId, null);
      return outcomes;
    };
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'race', count: 5 }, callback_url: hook.url }, ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('cancelled');
    const deadline = Date.now() + 10_000;
    while (hook.hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hook.hits.map((hit) => JSON.parse(hit.body).status)).toEqual(['cancelled']);
  });

  it('is refused at POST time while WEBHOOK_SECRET is unset, and for URLs the source rules forbid', async () => {
    h = await startHarness({ worker: false });
    const body = { source_type: 'github' as const, source_config: { base_url: 'https://example.com', scope: 'cb', count: 1 }, callback_url: 'https://hooks.example.com/x' };
    await expect(h.deps.jobs.create(body, ctx)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: '/callback_url' }] });
    await h.cleanup();
    h = await startHarness({ worker: false, env: { WEBHOOK_SECRET: 'x'.repeat(32) } });
    const err = await h.deps.jobs.create({ ...body, callback_url: 'https://169.254.169.254/latest' }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('SOURCE_URL_FORBIDDEN');
    expect((await h.deps.records.list({ tenant_id: null, limit: 10 })).total).toBe(0);
  });
});

describe('worker logs', () => {
  it('never carry a credential, even when the source fails', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
    h = await startHarness({ logger });
    const secret = 'glpat-VerySecretValue-987654321';
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'log', count: 30, token: secret, fail_at_page: 1 }, options: { batch_size: 10 } }, ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('failed');
    expect(lines.join('\n')).toContain(job.job_id);
    expect(lines.join('\n')).not.toContain(secret);
  });
});
