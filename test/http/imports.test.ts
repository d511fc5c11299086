/** POST/GET/DELETE /api/imports and the job list, over the real jobs core. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let app: FastifyInstance;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app();
});
afterAll(async () => env.cleanup());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/imports', payload: body as object, headers });

describe('POST /api/imports', () => {
  it('creates a pending job: 202, Location, the job as stored in Redis', async () => {
    const res = await post(importBody({}, { correlation_id: 'corr-1' }), { 'x-request-id': 'req-create-1' });
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(res.headers.location).toBe(`/api/imports/${job.job_id}`);
    expect(job).toMatchObject({
      status: 'pending',
      source_type: 'jira',
      source: { base_url: 'https://source.example.com', scope: 'TEST' },
      request_id: 'req-create-1',
      correlation_id: 'corr-1',
      tenant_id: null,
      completed_at: null,
    });
    const stored = await env.harness.deps.records.get(job.job_id);
    expect(job).toEqual(stored);
  });

  it('takes correlation_id from X-Correlation-ID when the body has none', async () => {
    const res = await post(importBody(), { 'x-correlation-id': 'from-header' });
    expect(res.json().correlation_id).toBe('from-header');
  });

  it('applies option defaults and keeps given options', async () => {
    const res = await post(importBody({}, { options: { mode: 'incremental', batch_size: 7 } }));
    expect(res.statusCode).toBe(202);
    const queued = await env.harness.deps.queue.getJob(res.json().job_id);
    expect(queued?.data.options).toEqual({ mode: 'incremental', batch_size: 7, include_comments: true, dry_run: false, include_history: true, download_attachments: false });
  });

  it('replays the first job for a reused Idempotency-Key (200), refuses it with another body (422)', async () => {
    const headers = { 'idempotency-key': `idem-${Date.now()}` };
    const first = await post(importBody(), headers);
    const again = await post(importBody(), headers);
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(200);
    expect(again.json().job_id).toBe(first.json().job_id);
    expect(again.headers.location).toBe(first.headers.location);
    const other = await post(importBody({ scope: 'OTHER' }), headers);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error_code: 'IDEMPOTENCY_KEY_REUSED', details: [{ path: 'idempotency-key' }] });
  });

  it('refuses a literal private base_url with SOURCE_URL_FORBIDDEN', async () => {
    const res = await post(importBody({ base_url: 'https://10.0.0.5' }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error_code: 'SOURCE_URL_FORBIDDEN' });
  });
});

describe('GET /api/imports/{job_id}', () => {
  it('returns the job', async () => {
    const created = (await post(importBody())).json();
    const res = await app.inject(`/api/imports/${created.job_id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it.each([
    ['unknown id', '3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f'],
    ['malformed id', 'not-a-uuid'],
    ['overlong id', 'x'.repeat(300)],
  ])('404 JOB_NOT_FOUND for an %s', async (_name, id) => {
    const res = await app.inject(`/api/imports/${id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error_code: 'JOB_NOT_FOUND', details: [] });
  });
});

describe('DELETE /api/imports/{job_id}', () => {
  it('cancels a pending job, then 409 JOB_NOT_CANCELLABLE', async () => {
    const created = (await post(importBody())).json();
    const res = await app.inject({ method: 'DELETE', url: `/api/imports/${created.job_id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ job_id: created.job_id, status: 'cancelled' });
    expect(res.json().completed_at).not.toBeNull();
    const again = await app.inject({ method: 'DELETE', url: `/api/imports/${created.job_id}` });
    expect(again.statusCode).toBe(409);
    expect(again.json().error_code).toBe('JOB_NOT_CANCELLABLE');
  });

  it.each(['completed', 'failed'] as const)('409 JOB_NOT_CANCELLABLE for a %s job, which stays as it was', async (status) => {
    const { job_id } = (await post(importBody())).json();
    const records = env.harness.deps.records;
    expect((await records.transition(job_id, 'processing', {}, 'worker-1')).ok).toBe(true);
    const ended = await records.transition(job_id, status, {}, 'worker-1');
    expect(ended.ok).toBe(true);
    const res = await app.inject({ method: 'DELETE', url: `/api/imports/${job_id}` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error_code: 'JOB_NOT_CANCELLABLE', error_message: expect.stringContaining(status) });
    expect(await records.get(job_id)).toEqual(ended.ok && ended.job);
  });

  it('accepts a bodiless DELETE that still says Content-Type: application/json', async () => {
    const created = (await post(importBody())).json();
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/imports/${created.job_id}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('404 for unknown and malformed ids', async () => {
    for (const id of ['3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f', 'nope']) {
      const res = await app.inject({ method: 'DELETE', url: `/api/imports/${id}` });
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('JOB_NOT_FOUND');
    }
  });
});

describe('GET /api/imports', () => {
  it('lists newest first and pages with next_cursor, visiting each job once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(importBody({ scope: `LIST-${i}` }), { 'x-request-id': `list-${i}` })).json().job_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/imports?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await app.inject(url);
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.jobs.length).toBeLessThanOrEqual(2);
      expect(body.total).toBeGreaterThanOrEqual(5);
      seen.push(...body.jobs.map((j: { job_id: string }) => j.job_id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const mine = seen.filter((id) => ids.includes(id));
    expect(mine).toEqual([...ids].reverse());
  });

  it('filters by status, source_type and tenant_id', async () => {
    const job = (await post(importBody({}, { source_type: 'gitlab', tenant_id: 'acme-list' }))).json();
    const res = await app.inject('/api/imports?status=pending&source_type=gitlab&tenant_id=acme-list');
    expect(res.json().jobs.map((j: { job_id: string }) => j.job_id)).toEqual([job.job_id]);
    const none = await app.inject('/api/imports?status=completed&tenant_id=acme-list');
    expect(none.json()).toMatchObject({ jobs: [], total: 0, next_cursor: null });
  });

  it.each([
    ['limit=0', '/limit'],
    ['limit=501', '/limit'],
    ['limit=abc', '/limit'],
    ['status=done', '/status'],
    ['source_type=bitbucket', '/source_type'],
    ['stauts=pending', '/stauts'],
  ])('422 for %s', async (qs, path) => {
    const res = await app.inject(`/api/imports?${qs}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
    expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('422 for a cursor this API never issued', async () => {
    const res = await app.inject('/api/imports?cursor=garbage');
    expect(res.statusCode).toBe(422);
  });
});
