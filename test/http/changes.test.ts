/** GET /api/items/changes over real imports: cursors, latest, limits, tenants, deletions and restores. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testConnectors } from '../support/test-connector.js';
import { httpEnv, type HttpEnv } from './support.js';

const KEY = 'changes-key-0123456789abcdef';
const OTHER = 'changes-other-0123456789abcdef';

let env: HttpEnv;
let app: FastifyInstance;
beforeAll(async () => {
  env = await httpEnv({ worker: true, connectors: testConnectors });
  app = await env.app();
}, 120_000);
afterAll(async () => env.cleanup());

interface Change { seq: number; change: string; item_id: string; source_type: string; project: string; external_id: string; at: string }

async function importScope(a: FastifyInstance, config: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await a.inject({
    method: 'POST', url: '/api/imports', headers,
    payload: { source_type: 'gitlab', source_config: { base_url: 'https://feed.example.com', count: 4, ...config }, options: { batch_size: 3 } },
  });
  expect(res.statusCode).toBe(202);
  const done = await env.harness.waitFor(res.json().job_id);
  expect(done.status).toBe('completed');
  // deletions are marked after the record completes, before the end line: wait for that line
  const deadline = Date.now() + 20_000;
  while (!env.logs.some((l) => l.includes(done.job_id) && l.includes('"import completed"'))) {
    if (Date.now() > deadline) throw new Error('no end line');
    await new Promise((r) => setTimeout(r, 25));
  }
  return done;
}

async function page(url: string, headers: Record<string, string> = {}, a = app) {
  const res = await a.inject({ url, headers });
  expect(res.statusCode).toBe(200);
  return res.json() as { changes: Change[]; next_cursor: string };
}

/** Follows next_cursor until an empty page. */
async function follow(cursor: string | null, limit = 100, headers: Record<string, string> = {}, a = app) {
  const changes: Change[] = [];
  for (;;) {
    const body = await page(`/api/items/changes?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers, a);
    expect(body.next_cursor).toEqual(expect.any(String));
    changes.push(...body.changes);
    cursor = body.next_cursor;
    if (body.changes.length === 0) return { changes, cursor };
  }
}

const kinds = (changes: Change[]) => changes.map((c) => `${c.change} ${c.external_id}`);

describe('GET /api/items/changes', () => {
  it('follows an item through created, updated, deleted and restored; unchanged imports add nothing', async () => {
    const start = (await page('/api/items/changes?cursor=latest')).next_cursor;
    await importScope(app, { scope: 'FEED' });
    let { changes, cursor } = await follow(start);
    expect(kinds(changes)).toEqual(['created 100000', 'created 100001', 'created 100002', 'created 100003']);
    expect(changes[0]).toMatchObject({ source_type: 'gitlab', project: 'FEED', item_id: expect.any(String), at: expect.stringMatching(/Z$/) });

    await importScope(app, { scope: 'FEED' }); // all unchanged
    expect((await follow(cursor)).changes).toEqual([]);

    await importScope(app, { scope: 'FEED', changed_below: 1 });
    ({ changes, cursor } = await follow(cursor));
    expect(kinds(changes)).toEqual(['updated 100000']);

    await importScope(app, { scope: 'FEED', changed_below: 1, drop_items: [2] });
    ({ changes, cursor } = await follow(cursor));
    expect(kinds(changes)).toEqual(['deleted 100002']);

    await importScope(app, { scope: 'FEED', changed_below: 1 });
    ({ changes, cursor } = await follow(cursor));
    expect(kinds(changes)).toEqual(['updated 100002']); // a restore is an update of the same item

    const seqs = (await follow(start)).changes.map((c) => c.seq);
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    expect(seqs).toHaveLength(7);
  });

  it('no cursor reads from the beginning; small pages give the same feed, each change once', async () => {
    const whole = (await follow(null, 1000)).changes;
    expect(whole.length).toBeGreaterThanOrEqual(4);
    expect((await follow(null, 3)).changes).toEqual(whole);
  });

  it('an empty page carries a cursor to poll with; latest starts from now', async () => {
    const latest = await page('/api/items/changes?cursor=latest');
    expect(latest.changes).toEqual([]);
    const empty = await page(`/api/items/changes?cursor=${encodeURIComponent(latest.next_cursor)}`);
    expect(empty.changes).toEqual([]);
    expect(empty.next_cursor).toEqual(expect.any(String));
    await importScope(app, { scope: 'LATER', id_offset: 500, count: 2 });
    const next = await page(`/api/items/changes?cursor=${encodeURIComponent(empty.next_cursor)}`);
    expect(kinds(next.changes)).toEqual(['created 100500', 'created 100501']);
  });

  it.each(['cursor=garbage', 'cursor=', 'limit=0', 'limit=1001', 'limit=ten', 'since=1'])('422 VALIDATION_ERROR for %s', async (qs) => {
    const res = await app.inject(`/api/items/changes?${qs}`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error_code: 'VALIDATION_ERROR', details: expect.any(Array), request_id: expect.any(String) });
  });

  it('limit defaults to 100 and allows 1000', async () => {
    expect((await app.inject('/api/items/changes?limit=1000')).statusCode).toBe(200);
    await importScope(app, { scope: 'MANY', id_offset: 1000, count: 120 });
    expect((await page('/api/items/changes')).changes).toHaveLength(100);
  });
});

describe('tenants', () => {
  it("a key sees only its tenant's changes, and may not ask for another tenant's", async () => {
    const authed = await env.app({ apiKeys: new Map([[KEY, 'acme'], [OTHER, 'globex']]) });
    const mine = { authorization: `Bearer ${KEY}` };
    const theirs = { authorization: `Bearer ${OTHER}` };
    await importScope(authed, { scope: 'TENANT', id_offset: 9000, count: 2 }, mine);
    const acme = (await follow(null, 100, mine, authed)).changes;
    expect(kinds(acme)).toEqual(['created 109000', 'created 109001']);
    expect((await follow(null, 100, theirs, authed)).changes).toEqual([]);
    const forbidden = await authed.inject({ url: '/api/items/changes?tenant_id=acme', headers: theirs });
    expect(forbidden.statusCode).toBe(403);
    expect((await authed.inject('/api/items/changes')).statusCode).toBe(401);
    // without keys (this app): every tenant's changes
    expect((await follow(null, 1000)).changes.map((c) => c.item_id)).toEqual(expect.arrayContaining(acme.map((c) => c.item_id)));
  });
});
