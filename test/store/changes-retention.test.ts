/**
 * Change-feed retention: the oldest rows past the retention are pruned in feed order, and a reader
 * whose cursor is older than what was pruned is told so (CURSOR_EXPIRED) instead of missing them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../../src/errors.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const ctx = () => ({ tenantId: 'ret', sourceType: 'jira' as const, sourceInstance: 'retention.example', jobId: randomUUID(), batchNo: 1 });

describe.each(STORE_BACKENDS)('change feed retention on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => { t = await open(); }, 120_000);
  afterAll(() => t.cleanup());

  test('prunes only rows written before the cut, oldest first; an older cursor expires, a newer one and "from the start" go on', async () => {
    await t.store.upsertBatch(ctx(), [1, 2, 3].map((n) => sampleItem(n)), []);
    const first = await t.store.changes({ tenantId: 'ret', limit: 1 });
    expect(first.changes).toHaveLength(1);
    const oldCursor = first.next_cursor;
    const all = await t.store.changes({ tenantId: 'ret', limit: 100 });
    expect(all.changes).toHaveLength(3);
    const seqs = all.changes.map((c) => c.seq);
    // the first two rows are 40 days old, the third is recent
    await t.store.db.query(`UPDATE item_changes SET at = now() - interval '40 days' WHERE seq = ANY($1::bigint[])`, [seqs.slice(0, 2)]);
    await t.store.upsertBatch(ctx(), [sampleItem(4)], []);

    expect(await t.store.pruneChanges(new Date(Date.now() - 30 * 86_400_000), 1000)).toBe(2);
    expect(await t.store.pruneChanges(new Date(Date.now() - 30 * 86_400_000), 1000)).toBe(0);

    const expired = await t.store.changes({ tenantId: 'ret', limit: 10, cursor: oldCursor }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(AppError);
    expect((expired as AppError).code).toBe('CURSOR_EXPIRED');
    expect((expired as AppError).httpStatus).toBe(410);

    const fromStart = await t.store.changes({ tenantId: 'ret', limit: 10 });
    expect(fromStart.changes.map((c) => c.seq)).toEqual([seqs[2], ...fromStart.changes.slice(1).map((c) => c.seq)]);
    expect(fromStart.changes).toHaveLength(2);
    const fromKept = await t.store.changes({ tenantId: 'ret', limit: 10, cursor: fromStart.next_cursor });
    expect(fromKept.changes).toEqual([]);
  });

  test('stops at the first row to keep, even when older rows follow it in the feed', async () => {
    await t.store.upsertBatch(ctx(), [10, 11, 12].map((n) => sampleItem(n)), []);
    const latest = await t.store.changes({ tenantId: 'ret', limit: 100, cursor: 'latest' });
    const all = (await t.store.changes({ tenantId: 'ret', limit: 100 })).changes.slice(-3).map((c) => c.seq);
    // every row old but the middle one of these three (a long transaction's late commit)
    await t.store.db.query(`UPDATE item_changes SET at = now() - interval '40 days' WHERE seq <> $1::bigint`, [all[1]]);
    await t.store.pruneChanges(new Date(Date.now() - 30 * 86_400_000), 1000);
    const left = (await t.store.changes({ tenantId: 'ret', limit: 100 })).changes.map((c) => c.seq);
    expect(left).toEqual([all[1], all[2]]);
    expect(latest.changes).toEqual([]);
  });
});
