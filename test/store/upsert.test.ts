import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { SqlItemStore } from '../../src/store/work-items.js';
import { UPSERT_SQL, upsertParams } from '../../src/store/upsert.js';
import { prepareBatch } from '../../src/store/content.js';
import type { BatchContext } from '../../src/items/types.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const ctxFor = (over: Partial<BatchContext> = {}): BatchContext => ({
  tenantId: null,
  sourceType: 'jira',
  sourceInstance: 'acme.atlassian.net',
  jobId: randomUUID(),
  batchNo: 1,
  ...over,
});

describe.each(STORE_BACKENDS)('upsertBatch on %s', (_name, open) => {
  let t: TestStore;
  // The first PGlite of a run builds the shared template: slow on a loaded machine.
  beforeAll(async () => {
    t = await open();
  }, 120_000);
  afterAll(() => t.cleanup());

  test('reports created, then unchanged or updated from the content hash', async () => {
    const ctx = ctxFor({ sourceInstance: 'hash.example' });
    const first = await t.store.upsertBatch(ctx, [sampleItem(1), sampleItem(2)], []);
    expect(first.map((o) => o.action)).toEqual(['created', 'created']);
    expect(first.every((o) => o.countable && o.item_id)).toBe(true);

    const again = await t.store.upsertBatch(ctxFor({ sourceInstance: 'hash.example' }), [
      sampleItem(1, { raw: { volatile: 'changed' } }),
      sampleItem(2, { status: 'Done', status_category: 'done' }),
    ], []);
    expect(again.map((o) => o.action)).toEqual(['unchanged', 'updated']);
    expect(again.map((o) => o.item_id)).toEqual(first.map((o) => o.item_id));
    const stored = await t.store.getItem(first[1]!.item_id!, null);
    expect(stored?.status_category).toBe('done');
  });

  test('a batch re-delivered to the same job reports its first action, counted again only while its progress was unsaved', async () => {
    const ctx = ctxFor({ sourceInstance: 'redeliver.example' });
    const items = [sampleItem(1), sampleItem(2)];
    const failures = [{ external_id: 'f1', key: 'TEST-F', error: 'could not normalize' }];
    const first = await t.store.upsertBatch(ctx, items, failures);
    // the same batch number again: a crashed attempt whose progress was never saved, so it counts
    const retried = await t.store.upsertBatch(ctx, items, failures);
    expect(retried.map((o) => [o.action, o.countable])).toEqual([
      ['created', true], ['created', true], ['failed', true],
    ]);
    // a later batch of the same job meets them again: the first batch's progress was saved, not counted twice
    const later = await t.store.upsertBatch({ ...ctx, batchNo: 2 }, items, failures);
    expect(later.map((o) => [o.action, o.countable])).toEqual([
      ['created', false], ['created', false], ['failed', false],
    ]);
    expect(later.map((o) => o.item_id)).toEqual(first.map((o) => o.item_id));
    expect((await t.store.jobItems(ctx.jobId, { limit: 10 })).items).toHaveLength(3);
  });

  test('the same external_id in two tenants is two items', async () => {
    const a = await t.store.upsertBatch(ctxFor({ tenantId: 'a', sourceInstance: 'tenants.example' }), [sampleItem(1)], []);
    const b = await t.store.upsertBatch(ctxFor({ tenantId: 'b', sourceInstance: 'tenants.example' }), [sampleItem(1)], []);
    expect(a[0]!.action).toBe('created');
    expect(b[0]!.action).toBe('created');
    expect(a[0]!.item_id).not.toBe(b[0]!.item_id);
    expect(await t.store.getItem(a[0]!.item_id!, 'b')).toBeNull();
    expect((await t.store.getItem(a[0]!.item_id!, 'a'))?.tenant_id).toBe('a');
  });

  test('failures and invalid items are logged with their reason; jobItems filters by action', async () => {
    const ctx = ctxFor({ sourceInstance: 'failures.example' });
    const bad = sampleItem(3, { updated_at: 'yesterday-ish' });
    const out = await t.store.upsertBatch(ctx, [sampleItem(1), bad], [{ external_id: 'x9', key: null, error: 'boom' }]);
    expect(out.map((o) => [o.external_id, o.action])).toEqual([
      ['10001', 'created'], ['x9', 'failed'], ['10003', 'failed'],
    ]);
    const failed = await t.store.jobItems(ctx.jobId, { action: 'failed', limit: 10 });
    expect(failed.items).toEqual([
      { external_id: 'x9', key: null, item_id: null, action: 'failed', error: 'boom' },
      { external_id: '10003', key: 'TEST-3', item_id: null, action: 'failed', error: 'updated_at is not an ISO-8601 time' },
    ]);
    const { rows } = await t.db.query<{ external_id: string }>(
      `SELECT external_id FROM work_items WHERE source_instance = 'failures.example'`);
    expect(rows).toEqual([{ external_id: '10001' }]);
  });

  test('duplicates within a batch: the last one is stored and reported once', async () => {
    const ctx = ctxFor({ sourceInstance: 'dupes.example' });
    const out = await t.store.upsertBatch(ctx, [sampleItem(1, { title: 'old' }), sampleItem(1, { title: 'new' })], [
      { external_id: '10001', key: 'TEST-1', error: 'also reported as failed' },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.action).toBe('created');
    expect((await t.store.getItem(out[0]!.item_id!, null))?.title).toBe('new');
  });

  test('unicode, NUL, lone surrogates, 1 MB descriptions and comments round-trip', async () => {
    const big = 'ü€😀 '.repeat(200_000) + 'end';
    const comments = [{ external_id: 'c1', author: null, body: 'héllo **world** 😀', created_at: '2024-02-01T10:00:00.000Z', internal: true }];
    const item = sampleItem(1, { title: 'Grüße 日本語 \u0000x \uD800y', description: big, comments });
    const [out] = await t.store.upsertBatch(ctxFor({ sourceInstance: 'unicode.example' }), [item], []);
    const stored = await t.store.getItem(out!.item_id!, null);
    expect(stored?.title).toBe('Grüße 日本語 x \uFFFDy');
    expect(stored?.description).toBe(big);
    expect(stored?.comments).toEqual(comments);
    const [again] = await t.store.upsertBatch(ctxFor({ sourceInstance: 'unicode.example' }), [item], []);
    expect(again!.action).toBe('unchanged');
  });

  test('concurrent jobs upserting the same items in opposite orders: no deadlock, one creation each', async () => {
    const items = Array.from({ length: 200 }, (_, i) => sampleItem(i));
    const [a, b] = await Promise.all([
      t.store.upsertBatch(ctxFor({ sourceInstance: 'race.example' }), items, []),
      t.store.upsertBatch(ctxFor({ sourceInstance: 'race.example' }), [...items].reverse(), []),
    ]);
    const actions = new Map<string, string[]>();
    for (const o of [...a!, ...b!]) actions.set(o.external_id, [...(actions.get(o.external_id) ?? []), o.action]);
    expect(actions.size).toBe(200);
    expect([...actions.values()].every((acts) => acts.sort().join() === 'created,unchanged')).toBe(true);
  });

  test('one batch is one round trip', async () => {
    let calls = 0;
    const counting: Db = { ...t.db, query: (sql, params) => (calls++, t.db.query(sql, params)) };
    const store = new SqlItemStore(counting);
    const items = Array.from({ length: 100 }, (_, i) => sampleItem(i));
    await store.upsertBatch(ctxFor({ sourceInstance: 'trips.example' }), items, [{ external_id: 'z', key: null, error: 'e' }]);
    expect(calls).toBe(1);
  });

  test('a failing statement leaves nothing of the batch behind', async () => {
    await t.db.exec(`
      CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.external_id = 'boom' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_boom BEFORE INSERT ON work_items FOR EACH ROW EXECUTE FUNCTION refuse_boom();`);
    const ctx = ctxFor({ sourceInstance: 'atomic.example' });
    const batch = [sampleItem(1), sampleItem(2, { external_id: 'boom' }), sampleItem(3)];
    await expect(t.store.upsertBatch(ctx, batch, [])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await t.db.exec('DROP TRIGGER refuse_boom ON work_items; DROP FUNCTION refuse_boom();');
    const { rows } = await t.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM work_items WHERE source_instance = 'atomic.example'`);
    expect(rows[0]!.n).toBe('0');
    expect((await t.store.jobItems(ctx.jobId, { limit: 10 })).items).toEqual([]);
  });

  test("a batch reads only its own items from the job's item log, not everything the job logged before", async () => {
    // The earlier-delivery lookup once joined the job's whole log: every batch re-read all the
    // job had logged (quadratic over an import), since PGlite never refreshes the planner's statistics.
    const ctx = ctxFor({ sourceInstance: 'log-probe.example' });
    const batch = (b: number) => Array.from({ length: 50 }, (_, i) => sampleItem(b * 50 + i));
    for (let b = 0; b < 8; b++) await t.store.upsertBatch({ ...ctx, batchNo: b + 1 }, batch(b), []);
    const next = prepareBatch(batch(8), []);
    const { rows } = await (t.store as SqlItemStore).db.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${UPSERT_SQL}`, upsertParams({ ...ctx, batchNo: 9 }, next.rows, next.failures));
    const reads: number[] = [];
    const walk = (node: Record<string, unknown>): void => {
      if (node['Relation Name'] === 'job_items' && String(node['Node Type']).includes('Scan')) {
        reads.push(Number(node['Actual Rows']) * Number(node['Actual Loops']) + Number(node['Rows Removed by Filter'] ?? 0));
      }
      for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    const plan = rows[0]!['QUERY PLAN'];
    walk(((typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: Record<string, unknown> }[])[0]!.Plan);
    expect(reads.length).toBeGreaterThan(0);
    // 400 logged before; this batch's 50 are new, so a probe per item finds none of them
    expect(Math.max(...reads)).toBeLessThanOrEqual(50);
  });
});
