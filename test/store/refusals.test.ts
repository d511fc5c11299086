/**
 * An item the database refuses (CONTRACT §8) fails alone, with the database's reason in its `error`;
 * the rest of its batch lands once, on both backends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BatchContext } from '../../src/items/types.js';
import { StoreError } from '../../src/errors.js';
import { failureOf } from '../../src/store/db-errors.js';
import { MAX_NESTING } from '../../src/store/content.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const ctxFor = (over: Partial<BatchContext> = {}): BatchContext => ({
  tenantId: null, sourceType: 'jira', sourceInstance: `refusals-${randomUUID().slice(0, 8)}.example`, jobId: randomUUID(), batchNo: 1, ...over,
});

/** Random text does not compress, so the index entry really is this large. */
const longId = () => randomBytes(2400).toString('base64');

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('SQLSTATE classification', () => {
  test('outage, refusal and fault', () => {
    expect(['08006', '08001', '57P01', '57P03', '53300', '57014'].map(failureOf)).toEqual(Array(6).fill('outage'));
    expect(['22008', '22P02', '22003', '23505', '54000', '54001'].map(failureOf)).toEqual(Array(6).fill('refused'));
    expect(['40P01', '42P01', 'XX000'].map(failureOf)).toEqual(Array(3).fill('fault'));
  });
});

describe.each(STORE_BACKENDS)('refused items on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await open();
  }, 120_000);
  afterAll(() => t.cleanup());

  test('a year-0000 date, a far-future date and an id over the index limit fail alone; the others land once', async () => {
    const ctx = ctxFor();
    const tooLong = longId();
    const items = [
      sampleItem(1),
      sampleItem(2, { updated_at: '0000-01-01T00:00:00.000Z' }),
      sampleItem(3),
      sampleItem(4, { created_at: '+275760-09-13T00:00:00.000Z' }),
      sampleItem(5, { external_id: tooLong }),
      sampleItem(6),
      sampleItem(7, { raw: nested(MAX_NESTING + 10) }),
    ];
    const outcomes = await t.store.upsertBatch(ctx, items, [{ external_id: 'n1', key: null, error: 'could not be normalized' }]);
    const byId = new Map(outcomes.map((o) => [o.external_id, o]));
    expect(outcomes).toHaveLength(8);
    expect(outcomes.every((o) => o.countable)).toBe(true);
    for (const n of [1, 3, 6]) expect(byId.get(String(10000 + n))?.action).toBe('created');
    expect(byId.get('10002')).toMatchObject({ action: 'failed', item_id: null });
    expect(byId.get('10002')?.error).toMatch(/^refused by the database \(SQLSTATE 22008\): date\/time field value out of range/);
    expect(byId.get('10004')?.error).toMatch(/^refused by the database \(SQLSTATE 22\w{3}\)/);
    const long = outcomes.find((o) => o.external_id.startsWith(tooLong.slice(0, 200)))!;
    expect(long.action).toBe('failed');
    expect(long.external_id).toMatch(/…sha256:[0-9a-f]{16}$/);
    expect(long.error).toMatch(/^refused by the database \(SQLSTATE 54000\): index row size \d+ exceeds/);
    expect(byId.get('10007')).toMatchObject({ action: 'failed', error: `the item is nested more than ${MAX_NESTING} levels deep` });
    expect(byId.get('n1')?.action).toBe('failed');

    const stored = await t.db.query<{ external_id: string }>(`SELECT external_id FROM work_items WHERE source_instance = $1 ORDER BY external_id`, [ctx.sourceInstance]);
    expect(stored.rows.map((r) => r.external_id)).toEqual(['10001', '10003', '10006']);
    const log = await t.store.jobItems(ctx.jobId, { limit: 100 });
    expect(log.items).toHaveLength(8);

    // The same batch again (a crashed attempt re-delivered): each item reported once more as first recorded.
    const again = await t.store.upsertBatch(ctx, items, [{ external_id: 'n1', key: null, error: 'could not be normalized' }]);
    expect(again.map((o) => [o.external_id, o.action]).sort()).toEqual(outcomes.map((o) => [o.external_id, o.action]).sort());
    expect((await t.store.jobItems(ctx.jobId, { limit: 100 })).items).toHaveLength(8);
  });

  test('a batch of one refused item', async () => {
    const ctx = ctxFor();
    const [only] = await t.store.upsertBatch(ctx, [sampleItem(1, { closed_at: '0000-06-01T00:00:00.000Z' })], []);
    expect(only).toMatchObject({ external_id: '10001', action: 'failed', countable: true });
    expect(only?.error).toContain('SQLSTATE 22008');
  });

  test('a driver error carries its class and SQLSTATE', async () => {
    const err = await t.db.query(`SELECT '0000-01-01'::timestamptz`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).failure).toBe('refused');
    expect((err as StoreError).sqlstate).toBe('22008');
  });
});
