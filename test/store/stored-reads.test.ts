/** The connector's reads of what is stored (PageOptions.stored): comments by external_id, ids by key; one tenant and source instance only. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BatchContext } from '../../src/items/types.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const home = { tenantId: 'a', sourceType: 'github' as const, sourceInstance: 'reads.example' };
const ctx = (over: Partial<BatchContext> = {}): BatchContext => ({ ...home, jobId: randomUUID(), batchNo: 1, ...over });
const comment = (id: string) => ({ external_id: id, author: null, body: `comment ${id}`, created_at: '2024-01-01T00:00:00.000Z', internal: false });

describe.each(STORE_BACKENDS)('stored reads on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await open();
    await t.store.upsertBatch(ctx(), [sampleItem(1, { comments: [comment('7'), comment('9')] }), sampleItem(2, { key: '#2', project: 'o/r' })], []);
    // Same ids and keys elsewhere: another tenant, another instance.
    await t.store.upsertBatch(ctx({ tenantId: 'b' }), [sampleItem(1, { comments: [comment('8')] }), sampleItem(2, { key: '#2', project: 'o/r', external_id: 'other' })], []);
    await t.store.upsertBatch(ctx({ sourceInstance: 'elsewhere.example' }), [sampleItem(3, { key: '#3', project: 'o/r' })], []);
  }, 120_000);
  afterAll(() => t.cleanup());

  test('comments of stored items by external_id; items not stored are absent', async () => {
    const got = await t.store.storedComments(home, ['10001', '10002', 'nope']);
    expect([...got.keys()].sort()).toEqual(['10001', '10002']);
    expect(got.get('10001')).toEqual([comment('7'), comment('9')]);
    expect(got.get('10002')).toEqual([]);
    expect(await t.store.storedComments(home, [])).toEqual(new Map());
  });

  test('external_ids by key within one project of this tenant and instance', async () => {
    expect(await t.store.storedIdsByKey(home, 'o/r', ['#2', '#3', '#4'])).toEqual(new Map([['#2', '10002']]));
    expect(await t.store.storedIdsByKey({ ...home, tenantId: 'b' }, 'o/r', ['#2'])).toEqual(new Map([['#2', 'other']]));
    expect(await t.store.storedIdsByKey(home, 'other/repo', ['#2'])).toEqual(new Map());
  });
});
