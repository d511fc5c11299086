/**
 * Completion callbacks from the outbox (CONTRACT §2, §8): signed, delivered at least once, retried
 * with backoff or as the receiver's Retry-After says, never holding a worker slot, given up after
 * the horizon. Receivers are local HTTP servers; Redis is real.
 */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHarness, type Harness } from '../support/harness.js';
import { freePort, startReceiver, until, type Receiver } from '../support/receiver.js';
import { testPolicy } from '../support/policy.js';
import { AppError } from '../../src/errors.js';

let h: Harness;
let hook: Receiver | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
  await h?.cleanup();
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };
const SECRET = 'whsec-test-0123456789abcdef0123456789';
const env = { WEBHOOK_SECRET: SECRET, SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' };
const source = (scope: string, more: Record<string, unknown> = {}) => ({ base_url: 'https://example.com', scope, count: 5, ...more });

const state = (id: string) => h.deps.jobs.callback(id, null);
const delivered = async (id: string) => (await state(id))?.status === 'delivered';
const due = (id: string) => h.deps.redis.zscore(h.deps.keys.callbacksDue, id);

describe('completion callback', () => {
  it('POSTs the final job JSON signed with WEBHOOK_SECRET, once, retrying a failing receiver', async () => {
    h = await startHarness({ env });
    hook = await startReceiver((_, n) => ({ status: n <= 2 ? 503 : 204 }));
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: source('cb'), callback_url: hook.url }, ctx);
    const done = await h.waitFor(job.job_id);
    await until('delivery', () => delivered(job.job_id));
    expect(hook.hits).toHaveLength(3);
    const hit = hook.hits[2]!;
    expect(JSON.parse(hit.body)).toEqual(done);
    expect(hit.headers['x-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(hit.body).digest('hex')}`);
    const s = await state(job.job_id);
    expect(s).toEqual({ status: 'delivered', attempts: 3, last_attempt_at: expect.any(String), last_error: null });
    expect(Date.parse(s!.last_attempt_at!)).toBeGreaterThanOrEqual(Date.parse(done.completed_at!));
    // nothing left to send
    expect(await due(job.job_id)).toBeNull();
  });

  it('is sent for a job cancelled before it ever ran, and its queue entry is settled', async () => {
    h = await startHarness({ env });
    hook = await startReceiver();
    const config = source('busy', { count: 1000, delay_ms: 2000 });
    const running = (await h.deps.jobs.create({ source_type: 'github', source_config: config, options: { batch_size: 1 } }, ctx)).job;
    await h.waitFor(running.job_id, (j) => j.status === 'processing');
    // same scope: waits as pending behind the running one
    const waiting = (await h.deps.jobs.create({ source_type: 'github', source_config: config, callback_url: hook.url }, ctx)).job;
    const cancelled = await h.deps.jobs.cancel(waiting.job_id, null);
    await until('the callback', () => hook!.hits.length > 0);
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.body)).toEqual(cancelled);
    await until('the queue entry settled', async () => (await h.deps.queue.getJobState(waiting.job_id)) === 'completed');
    await h.deps.jobs.cancel(running.job_id, null);
  });

  it('is sent when the cancel lands while a batch is being written (the progress save is refused)', async () => {
    h = await startHarness({ env });
    hook = await startReceiver();
    const upsert = h.deps.store.upsertBatch.bind(h.deps.store);
    h.deps.store.upsertBatch = async (c, items, failures) => {
      const outcomes = await upsert(c, items, failures);
      await h.deps.jobs.cancel(c.jobId, null);
      return outcomes;
    };
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: source('race'), callback_url: hook.url }, ctx);
    expect((await h.waitFor(job.job_id)).status).toBe('cancelled');
    await until('delivery', () => delivered(job.job_id));
    expect(hook.hits.map((hit) => JSON.parse(hit.body).status)).toEqual(['cancelled']);
  });

  it('waits for a receiver that is down without holding the worker slot, and delivers when it is back', async () => {
    h = await startHarness({ env: { ...env, WORKER_CONCURRENCY: '1' } });
    const port = await freePort();
    // A receiver path may itself be a secret (a chat webhook): it never shows in last_error.
    const path = '/services/T0/B0/xoxb-path-secret-42';
    const url = `http://127.0.0.1:${port}${path}`;
    const first = (await h.deps.jobs.create({ source_type: 'github', source_config: source('down'), callback_url: url }, ctx)).job;
    await h.waitFor(first.job_id);
    await until('failed attempts', async () => ((await state(first.job_id))?.attempts ?? 0) >= 2);
    // the one worker slot is free: another job runs and ends while the callback waits
    const second = (await h.deps.jobs.create({ source_type: 'github', source_config: source('other') }, ctx)).job;
    expect((await h.waitFor(second.job_id)).status).toBe('completed');
    const waiting = (await state(first.job_id))!;
    expect(waiting).toMatchObject({ status: 'pending', last_error: expect.stringContaining('ECONNREFUSED') });
    expect(waiting.last_error).not.toContain('xoxb-path-secret-42');
    expect(waiting.last_error).not.toContain(SECRET);
    hook = await startReceiver(undefined, port, path);
    await until('delivery', () => delivered(first.job_id));
    expect(hook.hits).toHaveLength(1);
    expect(JSON.parse(hook.hits[0]!.body)).toMatchObject({ job_id: first.job_id, status: 'completed' });
    expect((await state(first.job_id))!.attempts).toBeGreaterThan(waiting.attempts);
  });

  it('honours Retry-After on 429 and on 503: no attempt before the time the receiver named', async () => {
    h = await startHarness({ env });
    hook = await startReceiver((_, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : n === 2 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 204 }));
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: source('ra'), callback_url: hook.url }, ctx);
    await h.waitFor(job.job_id);
    await until('delivery', () => delivered(job.job_id));
    const [a, b, c] = hook.hits.map((hit) => hit.at);
    expect(hook.hits).toHaveLength(3);
    // without Retry-After the test policy backs off at most 400 ms
    expect(b! - a!).toBeGreaterThanOrEqual(1000);
    expect(c! - b!).toBeGreaterThanOrEqual(2000);
    expect(await state(job.job_id)).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('is failed once the retry horizon has passed, with the last reason', async () => {
    h = await startHarness({ env, policy: testPolicy({ callback: { horizonMs: 1500 } }) });
    hook = await startReceiver(() => ({ status: 500 }));
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: source('gone'), callback_url: hook.url }, ctx);
    const done = await h.waitFor(job.job_id);
    await until('giving up', async () => (await state(job.job_id))?.status === 'failed');
    const s = (await state(job.job_id))!;
    expect(s.last_error).toContain('HTTP 500');
    expect(s.attempts).toBe(hook.hits.length);
    expect(s.attempts).toBeGreaterThanOrEqual(3);
    // the last attempt is made at the horizon, not before
    expect(hook.hits.at(-1)!.at - Date.parse(done.completed_at!)).toBeGreaterThanOrEqual(1500);
    expect(await due(job.job_id)).toBeNull();
  });

  it('is refused at POST time while WEBHOOK_SECRET is unset, and for URLs the source rules forbid', async () => {
    h = await startHarness({ worker: false });
    const body = { source_type: 'github' as const, source_config: source('cb', { count: 1 }), callback_url: 'https://hooks.example.com/x' };
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
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: source('log', { count: 30, token: secret, fail_at_page: 1 }), options: { batch_size: 10 } }, ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('failed');
    expect(lines.join('\n')).toContain(job.job_id);
    expect(lines.join('\n')).not.toContain(secret);
  });
});
