/** GET /api/imports/{id}/items and GET /api/items[/{id}] over items stored by a real import. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { JobRecord } from '../../src/jobs/types.js';
import type { WorkItem } from '../../src/store/types.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

const KEY = 'items-key-0123456789abcdef';
const OTHER = 'other-key-0123456789abcdef';

let env: HttpEnv;
let app: FastifyInstance;
let job: JobRecord;

beforeAll(async () => {
  env = await httpEnv({ worker: true });
  app = await env.app();
  const res = await app.inject({
    method: 'POST',
    url: '/api/imports',
    payload: importBody({ scope: 'ITEMS', count: 5, bad_items: [2] }, { options: { batch_size: 2 } }),
  });
  job = await env.harness.waitFor(res.json().job_id);
});
afterAll(async () => env.cleanup());

describe('GET /api/imports/{job_id}/items', () => {
  it('lists every item the job touched, with actions', async () => {
    expect(job.status).toBe('completed');
    const res = await app.inject(`/api/imports/${job.job_id}/items`);
    expect(res.statusCode).toBe(200);
    const { items, next_cursor } = res.json();
    expect(next_cursor).toBeNull();
    expect(items).toHaveLength(5);
    expect(items.filter((i: { action: string }) => i.action === 'created')).toHaveLength(4);
  });

  it('action=failed says what failed and why', async () => {
    const { items } = (await app.inject(`/api/imports/${job.job_id}/items?action=failed`)).json();
    expect(items).toEqual([{ external_id: '100002', key: 'T-2', item_id: null, action: 'failed', error: expect.stringContaining('no title') }]);
  });

  it('pages with limit and cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/imports/${job.job_id}/items?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = (await app.inject(url)).json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i: { external_id: string }) => i.external_id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['100000', '100001', '100002', '100003', '100004']);
  });

  it.each(['action=skipped', 'limit=0', 'limit=1001', 'foo=1'])('422 for %s', async (qs) => {
    const res = await app.inject(`/api/imports/${job.job_id}/items?${qs}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
  });

  it('404 for an unknown job id, and for a malformed one even with a bad query', async () => {
    for (const url of ['3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f/items', '12345/items?limit=0']) {
      const res = await app.inject(`/api/imports/${url}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('JOB_NOT_FOUND');
    }
  });
});

describe('GET /api/items', () => {
  it('returns normalized items, raw included, exactly as stored', async () => {
    const { items } = (await app.inject('/api/items?project=ITEMS')).json() as { items: WorkItem[] };
    expect(items).toHaveLength(4);
    const one = (await app.inject(`/api/items/${items[0]!.id}`)).json();
    expect(one).toEqual(await env.harness.deps.store.getItem(items[0]!.id, null));
    expect(one).toMatchObject({ source_type: 'jira', source_instance: 'source.example.com', project: 'ITEMS' });
    expect(one.raw).toEqual(expect.objectContaining({ i: expect.any(Number) }));
  });

  it('filters by q, source_type and updated_since', async () => {
    const q = (await app.inject('/api/items?q=T-3&project=ITEMS')).json();
    expect(q.items.map((i: WorkItem) => i.key)).toEqual(['T-3']);
    expect((await app.inject('/api/items?source_type=gitlab&project=ITEMS')).json().items).toEqual([]);
    const later = (await app.inject('/api/items?project=ITEMS&updated_since=2024-01-01T00:03:00Z')).json();
    expect(later.items.map((i: WorkItem) => i.key).sort()).toEqual(['T-3', 'T-4']);
  });

  it('pages with limit and cursor', async () => {
    const first = (await app.inject('/api/items?project=ITEMS&limit=3')).json();
    expect(first.items).toHaveLength(3);
    const second = (await app.inject(`/api/items?project=ITEMS&limit=3&cursor=${encodeURIComponent(first.next_cursor)}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
  });

  it.each(['limit=0', 'limit=1001', 'updated_since=yesterday', 'source_type=svn', 'q=', 'sort=asc'])('422 for %s', async (qs) => {
    const res = await app.inject(`/api/items?${qs}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
  });

  it('404 ITEM_NOT_FOUND for unknown and malformed ids', async () => {
    for (const id of ['3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f', 'nope']) {
      const res = await app.inject(`/api/items/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('ITEM_NOT_FOUND');
    }
  });
});

describe('tenants', () => {
  it("another tenant's items are invisible", async () => {
    const authed = await env.app({ apiKeys: new Map([[KEY, 'acme'], [OTHER, 'globex']]) });
    const created = await authed.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { authorization: `Bearer ${KEY}` },
      payload: importBody({ scope: 'TENANT', count: 2 }),
    });
    await env.harness.waitFor(created.json().job_id);
    const mine = (await authed.inject({ url: '/api/items?project=TENANT', headers: { authorization: `Bearer ${KEY}` } })).json();
    expect(mine.items).toHaveLength(2);
    const theirs = await authed.inject({ url: '/api/items?project=TENANT', headers: { authorization: `Bearer ${OTHER}` } });
    expect(theirs.json().items).toEqual([]);
    const direct = await authed.inject({ url: `/api/items/${mine.items[0].id}`, headers: { authorization: `Bearer ${OTHER}` } });
    expect(direct.statusCode).toBe(404);
  });
});
