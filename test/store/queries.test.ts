import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WorkItem } from '../../src/store/work-items.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const ctxFor = (tenantId: string | null, sourceType: 'jira' | 'github' = 'jira') => ({
  tenantId, sourceType, sourceInstance: 'queries.example', jobId: randomUUID(), batchNo: 1,
});

describe.each(STORE_BACKENDS)('queries on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await open();
    // 250 jira items in tenant t1 where many share an updated_at (ties must page by id),
    // 5 github items in t1 under another project, 3 items in tenant t2.
    const jira = Array.from({ length: 250 }, (_, i) =>
      sampleItem(i, { updated_at: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 7)).toISOString() }));
    for (let i = 0; i < jira.length; i += 100) {
      await t.store.upsertBatch(ctxFor('t1'), jira.slice(i, i + 100), []);
    }
    await t.store.upsertBatch(ctxFor('t1', 'github'), Array.from({ length: 5 }, (_, i) =>
      sampleItem(1000 + i, { project: 'acme/app', key: `#${i}`, updated_at: '2024-06-01T00:00:00.000Z',
        description: i === 2 ? 'needle 100%_done here' : 'hay' })), []);
    await t.store.upsertBatch(ctxFor('t2'), [sampleItem(1), sampleItem(2), sampleItem(3, { updated_at: null, created_at: '2023-01-01T00:00:00.000Z' })], []);
  }, 120_000);
  afterAll(() => t.cleanup());

  async function all(query: Parameters<TestStore['store']['listItems']>[0]): Promise<WorkItem[]> {
    const seen: WorkItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.store.listItems({ ...query, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(query.limit);
      seen.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return seen;
  }

  test('paging visits every row of the tenant once, newest first', async () => {
    const seen = await all({ tenantId: 't1', limit: 17 });
    expect(seen).toHaveLength(255);
    expect(new Set(seen.map((i) => i.id)).size).toBe(255);
    const times = seen.map((i) => i.updated_at ?? '');
    expect([...times].sort().reverse()).toEqual(times);
    expect(seen.every((i) => i.tenant_id === 't1')).toBe(true);
  });

  test('no tenant filter sees every tenant; an item without updated_at still appears', async () => {
    const seen = await all({ tenantId: null, limit: 100 });
    expect(seen).toHaveLength(258);
    expect(seen.at(-1)).toMatchObject({ tenant_id: 't2', updated_at: null, created_at: '2023-01-01T00:00:00.000Z' });
  });

  test('filters: source_type, project, updated_since, q (wildcards are literal)', async () => {
    expect(await all({ tenantId: 't1', source_type: 'github', limit: 2 })).toHaveLength(5);
    expect(await all({ tenantId: 't1', project: 'TEST', limit: 100 })).toHaveLength(250);
    const since = await all({ tenantId: 't1', updated_since: new Date('2024-01-01T00:00:05.000Z'), limit: 100 });
    // i % 7 in {5, 6}: 35 + 35 jira items, plus the 5 github ones
    expect(since.length).toBe(75);
    expect(since.every((i) => (i.updated_at ?? '') >= '2024-01-01T00:00:05.000Z')).toBe(true);
    const hits = await all({ tenantId: 't1', q: 'NEEDLE 100%_', limit: 10 });
    expect(hits.map((i) => i.key)).toEqual(['#2']);
    expect(await all({ tenantId: 't1', q: '100%x', limit: 10 })).toEqual([]);
    expect(await all({ tenantId: 't2', source_type: 'github', limit: 10 })).toEqual([]);
  });

  test('getItem returns the §4 shape and honours the tenant', async () => {
    const [item] = (await t.store.listItems({ tenantId: 't2', limit: 1 })).items;
    const got = await t.store.getItem(item!.id, 't2');
    expect(got).toEqual(item);
    expect(Object.keys(got!).sort()).toEqual([
      'assignee', 'attachments', 'closed_at', 'comments', 'completeness', 'created_at', 'custom_fields', 'deleted_at',
      'description', 'external_id', 'fields', 'history', 'id', 'item_type', 'key', 'labels', 'parent_external_id', 'priority', 'project', 'raw', 'reporter', 'source_instance',
      'source_type', 'status', 'status_category', 'tenant_id', 'title', 'updated_at', 'url',
    ]);
    expect(await t.store.getItem(item!.id, 't1')).toBeNull();
    expect(await t.store.getItem('not-a-uuid', null)).toBeNull();
    expect(await t.store.getItem(randomUUID(), null)).toBeNull();
  });

  test('a tampered cursor is a VALIDATION_ERROR', async () => {
    await expect(t.store.listItems({ tenantId: null, cursor: 'garbage', limit: 5 }))
      .rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const forged = Buffer.from(JSON.stringify(['1; DROP TABLE x', randomUUID()])).toString('base64url');
    await expect(t.store.jobItems(randomUUID(), { cursor: forged, limit: 5 }))
      .rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  test('jobItems pages in insertion order', async () => {
    const ctx = ctxFor('t3');
    // the log's sequence crosses a digit boundary (99 → 100): paging must follow numbers, not text
    await t.db.query(`SELECT setval('job_items_seq_seq', 95)`);
    const items = Array.from({ length: 30 }, (_, i) => sampleItem(500 - i));
    await t.store.upsertBatch(ctx, items.slice(0, 20), []);
    await t.store.upsertBatch(ctx, items.slice(20), [{ external_id: 'bad', key: null, error: 'e' }]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.store.jobItems(ctx.jobId, { limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.external_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...items.map((i) => i.external_id), 'bad']);
    expect((await t.store.jobItems(randomUUID(), { limit: 5 })).items).toEqual([]);
  });

  test('the watermark only moves forward and is per scope', async () => {
    const scope = { tenantId: null, sourceType: 'jira' as const, sourceInstance: 'w.example', scope: 'TEST' };
    expect(await t.store.getWatermark(scope)).toBeNull();
    await t.store.setWatermark(scope, new Date('2024-05-01T00:00:00Z'));
    await t.store.setWatermark(scope, new Date('2024-04-01T00:00:00Z'));
    expect((await t.store.getWatermark(scope))?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    await t.store.setWatermark(scope, new Date('2024-06-01T00:00:00Z'));
    expect((await t.store.getWatermark(scope))?.toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(await t.store.getWatermark({ ...scope, tenantId: 'other' })).toBeNull();
  });

  test('countItems and ping', async () => {
    expect(await t.store.countItems()).toBe(258 + 30);
    await expect(t.store.ping()).resolves.toBeUndefined();
  });
});
