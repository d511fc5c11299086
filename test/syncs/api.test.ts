/** /api/syncs over the real core (Redis, PGlite, BullMQ), no worker: CRUD, validation, 409s, tenants, secrets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dumpValues } from '../support/redis.js';
import { httpEnv, importBody, SECRET, type HttpEnv } from '../http/support.js';
import type { SqlItemStore } from '../../src/store/work-items.js';
import { TICK_QUEUE } from '../../src/syncs/schedule.js';

const KEY_ACME = 'acme-key-0123456789abcdef';
const KEY_GLOBEX = 'globex-key-0123456789abcdef';
const acme = { authorization: `Bearer ${KEY_ACME}` };
const globex = { authorization: `Bearer ${KEY_GLOBEX}` };

let env: HttpEnv;
let app: FastifyInstance;

beforeAll(async () => {
  env = await httpEnv({ env: { WEBHOOK_SECRET: 'w'.repeat(40) } });
  app = await env.app({ syncs: env.harness.deps.syncs, apiKeys: new Map([[KEY_ACME, 'acme'], [KEY_GLOBEX, 'globex']]) });
});
afterAll(async () => env.cleanup());

let scopeN = 0;
/** A valid POST /api/syncs body with its own scope. */
function syncBody(extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return { ...importBody({ scope: `S${++scopeN}`, token: SECRET, ...config }), schedule: { every_seconds: 60 }, ...extra };
}

const post = (body: unknown, headers: Record<string, string> = acme) =>
  app.inject({ method: 'POST', url: '/api/syncs', payload: body as object, headers });
const get = (url: string, headers: Record<string, string> = acme) => app.inject({ method: 'GET', url, headers });

const SYNC_FIELDS = [
  'consecutive_failures', 'created_at', 'last_error', 'last_job_id', 'last_run_at', 'last_status', 'next_run_at', 'schedule',
  'source', 'source_type', 'status', 'sync_id', 'tenant_id', 'updated_at', 'webhook_url',
].sort();

describe('POST /api/syncs', () => {
  it('creates an active sync: 201, its shape, webhook_secret once, the first tick due now', async () => {
    const res = await post(syncBody(), { ...acme, host: 'sync.example.com:8100' });
    expect(res.statusCode).toBe(201);
    const sync = res.json();
    expect(Object.keys(sync).sort()).toEqual([...SYNC_FIELDS, 'webhook_secret'].sort());
    expect(sync).toMatchObject({
      status: 'active', source_type: 'jira', source: { base_url: 'https://source.example.com', scope: `S${scopeN}` },
      schedule: { every_seconds: 60, full_every_seconds: 86400 }, last_job_id: null, last_run_at: null, last_status: null,
      consecutive_failures: 0, tenant_id: 'acme', webhook_url: `http://sync.example.com:8100/api/webhooks/${sync.sync_id}`,
    });
    expect(sync.webhook_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.location).toBe(`/api/syncs/${sync.sync_id}`);
    expect(Date.parse(sync.next_run_at)).toBeLessThanOrEqual(Date.now() + 1000);
    // one scheduler, on the tick queue
    const scheduler = await env.harness.deps.syncSchedules.queue.getJobScheduler(sync.sync_id);
    expect(scheduler?.every).toBe(60_000);
    expect(env.harness.deps.syncSchedules.queue.name).toBe(TICK_QUEUE);

    const again = await get(`/api/syncs/${sync.sync_id}`, { ...acme, host: 'sync.example.com:8100' });
    expect(again.statusCode).toBe(200);
    expect(Object.keys(again.json()).sort()).toEqual(SYNC_FIELDS);
    expect(again.body).not.toContain(sync.webhook_secret);
    const { webhook_secret: _secret, ...shown } = sync;
    expect(again.json()).toEqual(shown);
    // recoverable for webhook verification (CONTRACT §12), and the same
    expect((await env.harness.deps.syncs.webhookSecret(sync.sync_id))?.secret).toBe(sync.webhook_secret);
  });

  it('keeps no credential or webhook secret in clear: not in responses, the database or Redis', async () => {
    const res = await post(syncBody());
    const sync = res.json();
    expect(res.body).not.toContain(SECRET);
    const run = await app.inject({ method: 'POST', url: `/api/syncs/${sync.sync_id}/run`, headers: acme });
    expect(run.statusCode).toBe(202);
    expect(run.body).not.toContain(SECRET);
    const list = await get('/api/syncs?limit=500');
    expect(list.body).not.toContain(SECRET);
    expect(list.body).not.toContain(sync.webhook_secret);
    const db = (env.harness.deps.store as SqlItemStore).db;
    const rows = JSON.stringify((await db.query('SELECT * FROM syncs')).rows);
    expect(rows).toContain(sync.sync_id);
    expect(rows).not.toContain(SECRET);
    expect(rows).not.toContain(sync.webhook_secret);
    const redis = await dumpValues(env.harness.deps.redis, env.harness.prefix);
    expect(redis).toContain(run.json().job_id);
    expect(redis).not.toContain(SECRET);
    expect(redis).not.toContain(sync.webhook_secret);
    expect(env.logs.join('\n')).not.toContain(SECRET);
  });

  it('uses PUBLIC_URL for webhook_url when set', async () => {
    const withUrl = await env.app({ syncs: env.harness.deps.syncs, publicUrl: 'https://hooks.example.com/base' });
    const res = await withUrl.inject({ method: 'POST', url: '/api/syncs', payload: syncBody() });
    expect(res.statusCode).toBe(201);
    expect(res.json().webhook_url).toBe(`https://hooks.example.com/base/api/webhooks/${res.json().sync_id}`);
  });

  it.each([
    ['every_seconds below SYNC_MIN_INTERVAL_S', { schedule: { every_seconds: 59 } }, '/schedule/every_seconds'],
    ['full_every_seconds below every_seconds', { schedule: { every_seconds: 600, full_every_seconds: 300 } }, '/schedule/full_every_seconds'],
    ['no schedule', { schedule: undefined }, '/schedule'],
    ['an unknown schedule field', { schedule: { every_seconds: 60, cron: '* * * * *' } }, '/schedule/cron'],
    ['an import-only option', { options: { mode: 'incremental' } }, '/options/mode'],
    ['an unknown top-level field', { correlation_id: 'x' }, '/correlation_id'],
    ['a string interval', { schedule: { every_seconds: '60' } }, '/schedule/every_seconds'],
  ])('refuses %s with 422 and changes nothing', async (_name, extra, path) => {
    const before = (await get('/api/syncs?limit=500')).json().syncs.length;
    const res = await post(syncBody(extra));
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
    expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await get('/api/syncs?limit=500')).json().syncs.length).toBe(before);
  });

  it('refuses a bad source_config as imports do: unknown field, cross-field rule, forbidden URL', async () => {
    const unknown = await post(syncBody({}, { api_tokn: 'x' }));
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().details).toContainEqual({ path: '/source_config/api_tokn', message: 'unknown field' });
    const rule = await post(syncBody({}, { password: 'p' }));
    expect(rule.json().details).toContainEqual({ path: '/source_config/username', message: 'is required with password' });
    const ssrf = await post(syncBody({}, { base_url: 'https://10.0.0.5' }));
    expect(ssrf.statusCode).toBe(422);
    expect(ssrf.json().error_code).toBe('SOURCE_URL_FORBIDDEN');
    const control = await post(syncBody({}, { token: 'a\nb' }));
    expect(control.json().details).toContainEqual({ path: '/source_config/token', message: expect.stringContaining('control') });
  });

  it('defaults full_every_seconds to max(86400, every_seconds)', async () => {
    const res = await post(syncBody({ schedule: { every_seconds: 172800 } }));
    expect(res.json().schedule).toEqual({ every_seconds: 172800, full_every_seconds: 172800 });
  });

  it('answers 409 SYNC_EXISTS for a second sync of the same scope of the same tenant, not of another tenant', async () => {
    const body = syncBody();
    expect((await post(body)).statusCode).toBe(201);
    const again = await post({ ...body, schedule: { every_seconds: 120 } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error_code).toBe('SYNC_EXISTS');
    expect((await post(body, globex)).statusCode).toBe(201);
  });

  it('answers 403 for a tenant_id other than the key\'s', async () => {
    const res = await post(syncBody({ tenant_id: 'globex' }));
    expect(res.statusCode).toBe(403);
  });
});

describe('GET, PATCH, run, DELETE', () => {
  it('lists the tenant\'s syncs newest first, keyset paged, never another tenant\'s', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await post(syncBody())).json().sync_id);
    const theirs = (await post(syncBody(), globex)).json().sync_id;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/syncs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.syncs.length).toBeLessThanOrEqual(2);
      seen.push(...page.syncs.map((s: { sync_id: string; tenant_id: string }) => (expect(s.tenant_id).toBe('acme'), s.sync_id)));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 3)).toEqual([...mine].reverse());
    expect(seen).not.toContain(theirs);
    expect((await get('/api/syncs?cursor=bogus')).statusCode).toBe(422);
  });

  it('answers 404 SYNC_NOT_FOUND for an unknown, malformed or other tenant\'s sync on every route', async () => {
    const theirs = (await post(syncBody(), globex)).json().sync_id;
    for (const id of [theirs, '3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f', 'not-a-uuid']) {
      for (const [method, url, payload] of [
        ['GET', `/api/syncs/${id}`], ['PATCH', `/api/syncs/${id}`, { status: 'paused' }], ['POST', `/api/syncs/${id}/run`], ['DELETE', `/api/syncs/${id}`],
      ] as const) {
        const res = await app.inject({ method, url, headers: acme, ...(payload && { payload }) });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().error_code).toBe('SYNC_NOT_FOUND');
      }
    }
    expect((await get(`/api/syncs/${theirs}`, globex)).json().status).toBe('active');
  });

  it('pauses (scheduler removed, next_run_at null), resumes (scheduler back), reschedules', async () => {
    const sync = (await post(syncBody())).json();
    const queue = env.harness.deps.syncSchedules.queue;
    const patch = (payload: object) => app.inject({ method: 'PATCH', url: `/api/syncs/${sync.sync_id}`, headers: acme, payload });
    const paused = await patch({ status: 'paused' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', next_run_at: null });
    expect(await queue.getJobScheduler(sync.sync_id)).toBeUndefined();
    expect((await queue.getDelayed()).filter((j) => j.data.sync_id === sync.sync_id)).toEqual([]);
    const resumed = await patch({ status: 'active' });
    expect(resumed.json()).toMatchObject({ status: 'active' });
    expect(resumed.json().next_run_at).not.toBeNull();
    expect((await queue.getJobScheduler(sync.sync_id))?.every).toBe(60_000);
    const slower = await patch({ schedule: { every_seconds: 300, full_every_seconds: 3600 } });
    expect(slower.json().schedule).toEqual({ every_seconds: 300, full_every_seconds: 3600 });
    expect(Date.parse(slower.json().updated_at)).toBeGreaterThanOrEqual(Date.parse(sync.updated_at));
    expect((await queue.getJobScheduler(sync.sync_id))?.every).toBe(300_000);
    expect(Date.parse(slower.json().next_run_at)).toBeGreaterThan(Date.now() + 200_000);
    for (const bad of [{}, { status: 'stopped' }, { schedule: { every_seconds: 10 } }, { sync_id: 'x' }]) {
      const res = await patch(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(422);
    }
    expect((await get(`/api/syncs/${sync.sync_id}`)).json().schedule).toEqual({ every_seconds: 300, full_every_seconds: 3600 });
  });

  it('runs now: 202 with a job carrying sync_id (full first), then 409 SYNC_RUNNING while it is pending', async () => {
    const sync = (await post(syncBody())).json();
    const run = await app.inject({ method: 'POST', url: `/api/syncs/${sync.sync_id}/run`, headers: acme });
    expect(run.statusCode).toBe(202);
    const job = run.json();
    expect(job).toMatchObject({ status: 'pending', sync_id: sync.sync_id, tenant_id: 'acme', source: sync.source });
    expect(run.headers.location).toBe(`/api/imports/${job.job_id}`);
    expect((await env.harness.deps.queue.getJob(job.job_id))?.data).toMatchObject({ sync_id: sync.sync_id, options: { mode: 'full' } });
    const again = await app.inject({ method: 'POST', url: `/api/syncs/${sync.sync_id}/run`, headers: acme });
    expect(again.statusCode).toBe(409);
    expect(again.json().error_code).toBe('SYNC_RUNNING');
    const shown = (await get(`/api/syncs/${sync.sync_id}`)).json();
    expect(shown).toMatchObject({ last_job_id: job.job_id, last_status: 'pending' });
    expect(shown.last_run_at).not.toBeNull();
    // cancelled, the run is over: another may start
    await app.inject({ method: 'DELETE', url: `/api/imports/${job.job_id}`, headers: acme });
    const third = await app.inject({ method: 'POST', url: `/api/syncs/${sync.sync_id}/run`, headers: acme });
    expect(third.statusCode).toBe(202);
    const after = (await get(`/api/syncs/${sync.sync_id}`)).json();
    expect(after).toMatchObject({ last_job_id: third.json().job_id, last_status: 'pending', consecutive_failures: 0 });
  });

  it('deletes: 204, scheduler gone, 404 after; the run\'s job stays; the scope can have a new sync', async () => {
    const body = syncBody();
    const sync = (await post(body)).json();
    const job = (await app.inject({ method: 'POST', url: `/api/syncs/${sync.sync_id}/run`, headers: acme })).json();
    const del = await app.inject({ method: 'DELETE', url: `/api/syncs/${sync.sync_id}`, headers: acme });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect(await env.harness.deps.syncSchedules.queue.getJobScheduler(sync.sync_id)).toBeUndefined();
    expect((await get(`/api/syncs/${sync.sync_id}`)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/syncs/${sync.sync_id}`, headers: acme })).statusCode).toBe(404);
    expect((await get(`/api/imports/${job.job_id}`)).statusCode).toBe(200);
    expect((await env.harness.deps.syncs.webhookSecret(sync.sync_id))).toBeNull();
    expect((await post(body)).statusCode).toBe(201);
  });

  it('describes the routes and the new codes in OpenAPI', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/syncs', '/api/syncs/{sync_id}', '/api/syncs/{sync_id}/run']));
    expect(JSON.stringify(doc)).toContain('SYNC_EXISTS');
    expect(JSON.stringify(doc)).toContain('SYNC_RUNNING');
  });
});
