/**
 * The change feed's store half: what the upsert and the deletion marking write, and the reader's
 * guarantee under writers that commit out of order (real PostgreSQL, several connections).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbQueries } from '../../src/store/db.js';
import { upsertBatch } from '../../src/store/upsert.js';
import type { ChangesPage, ItemChange } from '../../src/store/changes.js';
import type { BatchContext } from '../../src/items/types.js';
import { STORE_BACKENDS, TEST_DATABASE_URL, sampleItem, withPostgresSchema, type TestStore } from '../support/store.js';

const ctxFor = (over: Partial<BatchContext> = {}): BatchContext => ({
  tenantId: null, sourceType: 'jira', sourceInstance: 'feed.example', scope: 'TEST', jobId: randomUUID(), batchNo: 1, ...over,
});

/** Follows next_cursor until an empty page; every change once. */
async function drain(t: TestStore, cursor: string | undefined, tenantId: string | null = null, limit = 1000) {
  const changes: ItemChange[] = [];
  for (;;) {
    const page: ChangesPage = await t.store.changes({ tenantId, limit, ...(cursor !== undefined && { cursor }) });
    expect(page.next_cursor).toEqual(expect.any(String));
    changes.push(...page.changes);
    cursor = page.next_cursor;
    if (page.changes.length === 0) return { changes, cursor };
  }
}

const strictlyIncreasing = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);

describe.each(STORE_BACKENDS)('change feed on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await open();
  }, 120_000);
  afterAll(() => t.cleanup());

  test('created, updated, deleted and restored appear once each; unchanged writes add nothing', async () => {
    const start = (await t.store.changes({ tenantId: 'feed', limit: 10, cursor: 'latest' })).next_cursor;
    const ctx = (over: Partial<BatchContext> = {}) => ctxFor({ tenantId: 'feed', ...over });
    const first = await t.store.upsertBatch(ctx(), [sampleItem(1), sampleItem(2), sampleItem(3)], []);
    let { changes, cursor } = await drain(t, start, 'feed');
    expect(changes.map((c) => [c.change, c.external_id])).toEqual([['created', '10001'], ['created', '10002'], ['created', '10003']]);
    expect(changes.map((c) => c.item_id)).toEqual(first.map((o) => o.item_id));
    expect(changes[0]).toMatchObject({ source_type: 'jira', project: 'TEST', at: expect.stringMatching(/Z$/) });
    expect(strictlyIncreasing(changes.map((c) => c.seq))).toBe(true);

    // the same content again (a re-import, volatile raw aside): nothing
    await t.store.upsertBatch(ctx(), [sampleItem(1, { raw: { etag: 'x' } }), sampleItem(2)], []);
    expect((await drain(t, cursor, 'feed')).changes).toEqual([]);

    await t.store.upsertBatch(ctx(), [sampleItem(2, { title: 'renamed' })], []);
    ({ changes, cursor } = await drain(t, cursor, 'feed'));
    expect(changes.map((c) => [c.change, c.external_id])).toEqual([['updated', '10002']]);

    // a full run that saw 1 and 2 only: 3 is deleted
    const full = ctx();
    await t.store.upsertBatch(full, [sampleItem(1), sampleItem(2, { title: 'renamed' })], []);
    expect(await t.store.markUnseenDeleted({ tenantId: 'feed', sourceType: 'jira', sourceInstance: 'feed.example', scope: 'TEST', jobId: full.jobId }))
      .toEqual({ deleted: 1 });
    ({ changes, cursor } = await drain(t, cursor, 'feed'));
    expect(changes.map((c) => [c.change, c.external_id])).toEqual([['deleted', '10003']]);

    // sighted again with the same content: restored, an update
    const back = await t.store.upsertBatch(ctx(), [sampleItem(3)], []);
    expect(back[0]!.action).toBe('updated');
    ({ changes, cursor } = await drain(t, cursor, 'feed'));
    expect(changes.map((c) => [c.change, c.external_id])).toEqual([['updated', '10003']]);
    expect((await t.store.getItem(back[0]!.item_id!, 'feed'))?.deleted_at).toBeNull();
  });

  test('paging by limit gives the feed one page gives; latest starts from now; other tenants stay out', async () => {
    await t.store.upsertBatch(ctxFor({ tenantId: 'paged' }), Array.from({ length: 7 }, (_, i) => sampleItem(100 + i)), []);
    await t.store.upsertBatch(ctxFor({ tenantId: 'elsewhere' }), [sampleItem(1)], []);
    const whole = (await drain(t, undefined, 'paged')).changes;
    expect(whole).toHaveLength(7);
    const paged = await drain(t, undefined, 'paged', 2);
    expect(paged.changes).toEqual(whole);
    const all = (await drain(t, undefined, null)).changes;
    expect(all.some((c) => c.item_id === whole[0]!.item_id)).toBe(true);
    expect(all.length).toBeGreaterThan(whole.length);

    const latest = (await t.store.changes({ tenantId: 'paged', limit: 5, cursor: 'latest' })).next_cursor;
    expect((await t.store.changes({ tenantId: 'paged', limit: 5, cursor: latest })).changes).toEqual([]);
    await t.store.upsertBatch(ctxFor({ tenantId: 'paged' }), [sampleItem(100, { title: 'new' })], []);
    const after = await t.store.changes({ tenantId: 'paged', limit: 5, cursor: latest });
    expect(after.changes.map((c) => [c.change, c.external_id])).toEqual([['updated', '10100']]);
    // an empty page keeps (or advances) the place: nothing is read twice
    expect((await t.store.changes({ tenantId: 'paged', limit: 5, cursor: after.next_cursor })).changes).toEqual([]);
  });

  test('a tampered cursor is a validation error', async () => {
    for (const cursor of ['garbage', Buffer.from('["-1"]').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      await expect(t.store.changes({ tenantId: null, limit: 5, cursor })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    }
  });
});

describe('change feed under concurrent writers (PostgreSQL)', () => {
  let t: TestStore;
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    t = await withPostgresSchema();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await t.cleanup();
  });

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${t.db.schema}` });
    await c.connect();
    clients.push(c);
    return c;
  };
  const on = (c: pg.Client): DbQueries => ({
    query: async <T>(sql: string, params: unknown[] = []) => ({ rows: (await c.query(sql, params)).rows as T[] }),
    exec: async (sql: string) => void (await c.query(sql)),
  });

  test('T1 writes first and commits after T2: a reader polling in between sees each change once, in commit order', async () => {
    const [t1, t2] = [await connect(), await connect()];
    const tenantId = 'interleave';
    const poll = async (cursor: string | undefined) => t.store.changes({ tenantId, limit: 100, ...(cursor !== undefined && { cursor }) });

    await t1.query('BEGIN');
    await upsertBatch(on(t1), ctxFor({ tenantId }), [sampleItem(1)], []);
    const idA = Number((await t1.query('SELECT max(id) AS id FROM item_changes')).rows[0].id);
    await t2.query('BEGIN');
    await upsertBatch(on(t2), ctxFor({ tenantId }), [sampleItem(2)], []);
    const idB = Number((await t2.query('SELECT max(id) AS id FROM item_changes')).rows[0].id);
    expect(idA).toBeLessThan(idB); // T1 holds the lower write number…
    await t2.query('COMMIT'); // …and T2 commits first

    const seen: ItemChange[] = [];
    let page = await poll(undefined);
    seen.push(...page.changes);
    expect(page.changes.map((c) => c.external_id)).toEqual(['10002']);
    page = await poll(page.next_cursor);
    expect(page.changes).toEqual([]); // T1 is still open: nothing, and the cursor did not pass it
    await t1.query('COMMIT');
    page = await poll(page.next_cursor);
    seen.push(...page.changes);
    expect(page.changes.map((c) => c.external_id)).toEqual(['10001']);
    expect((await poll(page.next_cursor)).changes).toEqual([]);

    expect(seen.map((c) => c.external_id)).toEqual(['10002', '10001']);
    expect(strictlyIncreasing(seen.map((c) => c.seq))).toBe(true);
    // a reader starting later reads the same feed in the same order
    expect((await drain(t, undefined, tenantId)).changes).toEqual(seen);
  });

  test('many writers committing and rolling back in any order, two readers paging: every committed change exactly once', async () => {
    const tenantId = 'stress';
    const writers = await Promise.all(Array.from({ length: 6 }, () => connect()));
    const committed = new Set<string>();
    let running = writers.length;
    const pause = () => new Promise((r) => setTimeout(r, Math.random() * 15));
    const write = async (c: pg.Client, w: number) => {
      for (let i = 0; i < 15; i++) {
        const ids = [1, 2].map((k) => w * 10_000 + i * 10 + k);
        await c.query('BEGIN');
        await upsertBatch(on(c), ctxFor({ tenantId }), ids.map((n) => sampleItem(n)), []);
        await pause(); // hold the transaction open while others write and commit
        if (i % 5 === 4) {
          await c.query('ROLLBACK'); // an aborted write leaves no change behind
        } else {
          await c.query('COMMIT');
          for (const n of ids) committed.add(String(10000 + n));
        }
      }
      running--;
    };
    const read = async () => {
      const got: ItemChange[] = [];
      let cursor: string | undefined;
      for (;;) {
        const done = running === 0; // decided before the read: a final pass after the last commit
        const page = await t.store.changes({ tenantId, limit: 7, ...(cursor !== undefined && { cursor }) });
        got.push(...page.changes);
        cursor = page.next_cursor;
        if (done && page.changes.length === 0) return got;
        if (page.changes.length === 0) await pause();
      }
    };
    const [, ...reads] = await Promise.all([Promise.all(writers.map((c, w) => write(c, w))), read(), read()]);
    for (const got of reads) {
      expect(strictlyIncreasing(got.map((c) => c.seq))).toBe(true);
      expect(got.map((c) => c.external_id).sort()).toEqual([...committed].sort());
      expect(got.every((c) => c.change === 'created')).toBe(true);
    }
    expect(reads[0]).toEqual(reads[1]);
    expect(committed.size).toBe(6 * 12 * 2);
  }, 90_000);
});
