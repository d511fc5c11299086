/**
 * The change feed (CONTRACT §13): item_changes rows read in `seq` order, per tenant.
 *
 * Why seq is given after commit, not at insert. A number taken inside the writing transaction
 * (bigserial) does not follow commit order: T1 takes 5, T2 takes 6, T2 commits, a reader returns 6
 * and moves its cursor past 5; T1 then commits 5 and that reader never sees it. Filtering by an
 * xid horizon (pg_snapshot_xmin) does not close this on its own either: the reader cannot see T1's
 * uncommitted row, so nothing tells it to stop before 6.
 *
 * So writers insert change rows with seq null (in the transaction that changed the item: an
 * aborted write leaves no change, a committed one always has its row), and a sequencer numbers
 * committed rows afterwards:
 *   1. `SELECT ... FROM item_change_head FOR UPDATE` — one sequencer at a time, held to commit;
 *   2. a second statement (READ COMMITTED: a fresh snapshot, taken after the previous sequencer
 *      committed) numbers the rows it sees with seq null as last_seq + 1, 2, … in write order and
 *      moves last_seq on; both commit together.
 * Proof that a reader never skips or repeats: seqs are only ever given to committed rows, once
 * (a numbered row is not null any more in the next sequencer's snapshot). Sequencer runs are
 * serialized by the head row lock and PostgreSQL makes a commit visible before it releases that
 * transaction's locks, so run k+1 starts after run k is visible and gives strictly higher numbers.
 * A reader's snapshot therefore sees the runs 1..k for some k — every seq up to head, none above —
 * and reads rows and head in one statement, one snapshot. A cursor at seq c has seen every row
 * <= c, and a row numbered later gets a seq above the head at that time, so above c.
 * The feed follows commit order for every item (a writer of an item waits for the item's row lock,
 * so its change row is written after the earlier change committed); changes of different items
 * committed between two sequencer runs are ordered by write order.
 * Readers run the sequencer (the writers need not wait for it): PGlite is single-connection, where
 * all of this holds trivially, with the same SQL.
 */
import type { Db } from './db.js';
import { decodeCursor, encodeCursor, integerIn } from './cursor.js';
import type { SourceType } from '../connectors/connector.js';
import { AppError } from '../errors.js';

export const CHANGE_KINDS = ['created', 'updated', 'deleted'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ItemChange {
  seq: number;
  change: ChangeKind;
  item_id: string;
  source_type: SourceType;
  project: string;
  external_id: string;
  at: string;
}

export interface ChangesQuery {
  /** null = every tenant (no API keys configured) */
  tenantId: string | null;
  /** next_cursor of an earlier page, 'latest' (from now) or undefined (from the beginning) */
  cursor?: string;
  limit: number;
}

export interface ChangesPage {
  changes: ItemChange[];
  next_cursor: string;
}

const SEQ = integerIn(0n, 9_007_199_254_740_991n); // seq is a JSON number: kept within 2^53

/** Numbers up to `max` committed, unnumbered change rows; returns how many it numbered. */
export async function sequenceChanges(db: Db, max: number): Promise<number> {
  const { rows: [pending] = [] } = await db.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM item_changes WHERE seq IS NULL) AS any',
  );
  if (!pending?.any) return 0;
  return db.transaction(async (tx) => {
    await tx.query('SELECT last_seq FROM item_change_head FOR UPDATE');
    const { rows } = await tx.query<{ n: string }>(
      `WITH head AS (SELECT last_seq FROM item_change_head),
       pending AS (
         SELECT id, row_number() OVER (ORDER BY id) AS n FROM (
           SELECT id FROM item_changes WHERE seq IS NULL ORDER BY id LIMIT $1
         ) p
       ),
       numbered AS (
         UPDATE item_changes c SET seq = head.last_seq + pending.n
         FROM pending, head WHERE c.id = pending.id
         RETURNING c.seq
       ),
       moved AS (
         UPDATE item_change_head SET last_seq = last_seq + (SELECT count(*) FROM pending)
         WHERE EXISTS (SELECT 1 FROM pending)
       )
       SELECT count(*)::text AS n FROM numbered`,
      [max],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

/** One page of the feed after the cursor; next_cursor is always set (an empty page keeps its place). */
export async function readChanges(db: Db, q: ChangesQuery, sequenceBatch: number): Promise<ChangesPage> {
  if (q.cursor === 'latest') {
    // "from now": everything committed before this call is behind the cursor
    // (bounded: under a flood of writes "now" is where ten full passes got to)
    for (let pass = 0; pass < 10 && (await sequenceChanges(db, sequenceBatch)) === sequenceBatch; pass++);
    const { rows } = await db.query<{ last_seq: string }>('SELECT last_seq::text AS last_seq FROM item_change_head');
    return { changes: [], next_cursor: encodeCursor([rows[0]?.last_seq ?? '0']) };
  }
  const given = q.cursor === undefined ? null : (decodeCursor(q.cursor, [SEQ]) as [string])[0];
  await sequenceChanges(db, sequenceBatch);
  const { rows } = await db.query<{
    head: string; pruned: string; seq: string; change: ChangeKind; item_id: string; source_type: SourceType; project: string; external_id: string; at: Date;
  }>(
    // head, pruning point and rows in one statement: one snapshot, so "nothing more up to head" is
    // true and no row pruned after the cursor can go unnoticed. No cursor starts at what is kept.
    `SELECT h.last_seq::text AS head, h.pruned_through::text AS pruned, c.seq::text AS seq, c.change, c.item_id,
       c.source_type, c.project, c.external_id, c.at
     FROM item_change_head h
     LEFT JOIN LATERAL (
       SELECT * FROM item_changes
       WHERE seq > GREATEST(COALESCE($1::bigint, 0), h.pruned_through) AND ($2::text IS NULL OR tenant_id = $2)
       ORDER BY seq LIMIT $3
     ) c ON true
     ORDER BY c.seq`,
    [given, q.tenantId, q.limit + 1],
  );
  const pruned = rows[0]?.pruned ?? '0';
  if (given !== null && BigInt(given) < BigInt(pruned)) {
    throw new AppError('CURSOR_EXPIRED', 'the changes after this cursor are older than the feed keeps: read the items again (GET /api/items), then follow the feed from cursor=latest');
  }
  const after = given ?? pruned;
  const found = rows.filter((r) => r.seq !== null);
  const page = found.slice(0, q.limit);
  const last = page[page.length - 1];
  // A full page continues after its last row; a short one has read everything up to head.
  const head = rows[0]?.head ?? after;
  const next = found.length > q.limit && last ? last.seq : BigInt(head) > BigInt(after) ? head : after;
  return {
    changes: page.map((r) => ({
      seq: Number(r.seq), change: r.change, item_id: r.item_id, source_type: r.source_type,
      project: r.project, external_id: r.external_id, at: r.at.toISOString(),
    })),
    next_cursor: encodeCursor([next]),
  };
}

/**
 * Drops the oldest numbered change rows written before `before`, at most `limit` a call, in feed
 * order and stopping at the first one to keep (rows are numbered in commit order, so one written
 * late in a long transaction stops the pruning there). Moves the head's pruning point in the same
 * statement, so a reader sees rows and point from one snapshot. Returns the rows dropped.
 */
export async function pruneChanges(db: Db, before: Date, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `WITH oldest AS (
       SELECT id, seq, at FROM item_changes WHERE seq IS NOT NULL ORDER BY seq LIMIT $2
     ),
     keep_from AS (SELECT min(seq) AS seq FROM oldest WHERE at >= $1::timestamptz),
     gone AS (
       DELETE FROM item_changes c USING oldest o, keep_from k
       WHERE c.id = o.id AND (k.seq IS NULL OR o.seq < k.seq)
       RETURNING o.seq
     ),
     moved AS (
       UPDATE item_change_head SET pruned_through = GREATEST(pruned_through, (SELECT max(seq) FROM gone))
       WHERE EXISTS (SELECT 1 FROM gone)
     )
     SELECT count(*)::text AS n FROM gone`,
    [before.toISOString(), limit],
  );
  return Number(rows[0]?.n ?? 0);
}
