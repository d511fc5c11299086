/**
 * The batched upsert: one SQL statement (so one round trip, and all-or-nothing) that
 *  1. inserts or updates every item by (tenant, source_type, source_instance, external_id),
 *     rewriting content columns only when the content hash changed,
 *  2. classifies each as created / updated / unchanged from the hash it replaced,
 *  3. records each item and each failure in the job's item log once (ON CONFLICT DO NOTHING),
 *     and reports what the log already held for items this job had recorded before,
 *  4. clears deleted_at (a sighting restores a deleted item: reported `updated`) and writes one
 *     change-feed row per created or updated item, in the same statement, so the feed holds
 *     exactly the changes that committed.
 * A batch the database refuses for its data is split until the refused items stand alone.
 */
import type { NormalizedItem } from '../connectors/connector.js';
import type { BatchContext, ItemFailure, ItemOutcome } from '../items/types.js';
import { StoreError } from '../errors.js';
import { loggableId, prepareBatch, type ItemRow, type PreparedBatch } from './content.js';
import { refusalReason } from './db-errors.js';
import type { DbQueries } from './db.js';

const CONTENT_COLUMNS = [
  'key', 'project', 'title', 'description', 'status', 'status_category', 'priority', 'item_type',
  'assignee', 'reporter', 'labels', 'url', 'parent_external_id', 'created_at', 'updated_at',
  'closed_at', 'comments', 'raw', 'history', 'attachments', 'custom_fields', 'fields', 'completeness',
] as const;

const INPUT_TYPES: Record<(typeof CONTENT_COLUMNS)[number], string> = {
  key: 'text', project: 'text', title: 'text', description: 'text', status: 'text',
  status_category: 'text', priority: 'text', item_type: 'text', assignee: 'jsonb', reporter: 'jsonb',
  labels: 'jsonb', url: 'text', parent_external_id: 'text', created_at: 'timestamptz',
  updated_at: 'timestamptz', closed_at: 'timestamptz', comments: 'jsonb', raw: 'jsonb',
  history: 'jsonb', attachments: 'jsonb', custom_fields: 'jsonb', fields: 'jsonb', completeness: 'jsonb',
};

const inputColumns = CONTENT_COLUMNS.map((c) => `${c} ${INPUT_TYPES[c]}`).join(', ');
const insertColumns = CONTENT_COLUMNS.join(', ');
const selectColumns = CONTENT_COLUMNS.map((c) => `i.${c}`).join(', ');
// Keeping the stored value when nothing changed also keeps large TOASTed values untouched.
const updateColumns = CONTENT_COLUMNS.map(
  (c) => `${c} = CASE WHEN w.content_hash = EXCLUDED.content_hash THEN w.${c} ELSE EXCLUDED.${c} END`,
).join(',\n    ');

export const UPSERT_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS i(ord integer, external_id text, content_hash text, partial boolean, ${inputColumns})
),
failed AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS f(ord integer, external_id text, key text, error text)
),
upserted AS (
  INSERT INTO work_items AS w (tenant_id, source_type, source_instance, external_id, ${insertColumns},
    content_hash, first_job_id, last_job_id, scope)
  SELECT $3, $4, $5, i.external_id, ${selectColumns}, i.content_hash, $6::uuid, $6::uuid, $8::text
  -- Rows are locked in key order, so concurrent batches overlapping in any order cannot deadlock.
  FROM input i ORDER BY i.external_id
  ON CONFLICT (tenant_id, source_type, source_instance, external_id) DO UPDATE SET
    ${updateColumns},
    imported_at = CASE WHEN w.content_hash = EXCLUDED.content_hash THEN w.imported_at ELSE now() END,
    previous_content_hash = w.content_hash,
    content_hash = EXCLUDED.content_hash,
    last_job_id = EXCLUDED.last_job_id,
    seen_at = now(),
    -- a writer that does not know the scope (null) leaves it as it is
    scope = COALESCE(EXCLUDED.scope, w.scope),
    previous_deleted_at = w.deleted_at,
    deleted_at = NULL
  RETURNING w.id, w.external_id, w.project, w.content_hash, w.previous_content_hash,
    w.previous_deleted_at IS NOT NULL AS restored
),
outcome AS (
  SELECT i.ord, u.external_id, i.key, u.id AS item_id, NULL::text AS error, i.partial,
    CASE WHEN u.previous_content_hash IS NULL THEN 'created'
         WHEN u.previous_content_hash = u.content_hash AND NOT u.restored THEN 'unchanged'
         ELSE 'updated' END AS action
  FROM upserted u JOIN input i ON i.external_id = u.external_id
  UNION ALL
  SELECT f.ord, f.external_id, f.key, NULL::uuid, f.error, false, 'failed' FROM failed f
),
changed AS (
  INSERT INTO item_changes (tenant_id, item_id, change, source_type, project, external_id)
  SELECT $3, o.item_id, o.action, $4, u.project, o.external_id
  FROM outcome o JOIN upserted u ON u.id = o.item_id
  WHERE o.action IN ('created', 'updated') ORDER BY o.ord
),
-- One primary-key probe per item (LIMIT 1 keeps the planner from flattening the lateral into a
-- join): as a join it read every item the job had logged so far, more with each batch, because
-- PGlite runs no autovacuum and the planner's statistics of job_items stay those of an empty table.
earlier AS (
  SELECT j.external_id, j.key, j.item_id, j.action, j.error, j.batch_no, j.partial FROM outcome o
  CROSS JOIN LATERAL (
    SELECT * FROM job_items x WHERE x.job_id = $6::uuid AND x.external_id = o.external_id LIMIT 1
  ) j
),
logged AS (
  INSERT INTO job_items (job_id, external_id, key, item_id, action, error, batch_no, partial)
  SELECT $6::uuid, o.external_id, o.key, o.item_id, o.action, o.error, $7::integer, o.partial FROM outcome o ORDER BY o.ord
  ON CONFLICT (job_id, external_id) DO NOTHING
  RETURNING external_id
)
SELECT o.external_id,
  CASE WHEN e.external_id IS NULL THEN o.key ELSE e.key END AS key,
  CASE WHEN e.external_id IS NULL THEN o.item_id ELSE e.item_id END AS item_id,
  COALESCE(e.action, o.action) AS action,
  CASE WHEN e.external_id IS NULL THEN o.error ELSE e.error END AS error,
  CASE WHEN e.external_id IS NULL THEN o.partial ELSE e.partial END AS partial,
  (l.external_id IS NOT NULL OR e.batch_no >= $7::integer) IS TRUE AS countable
FROM outcome o
LEFT JOIN earlier e ON e.external_id = o.external_id
LEFT JOIN logged l ON l.external_id = o.external_id
ORDER BY o.ord`;

type FailureRow = PreparedBatch['failures'][number];

/**
 * Writes one batch. The statement is all-or-nothing: when the database refuses it for its data
 * (a date out of range, an id over the index limit), nothing of it was written, and it is written
 * again in halves until each refused item stands alone; that item is logged as failed with the
 * database's reason and the others land. Outages and other faults are thrown as they are.
 */
export async function upsertBatch(
  db: DbQueries,
  ctx: BatchContext,
  items: NormalizedItem[],
  failures: ItemFailure[],
): Promise<ItemOutcome[]> {
  const batch = prepareBatch(items, failures);
  if (batch.rows.length === 0 && batch.failures.length === 0) return [];
  let refusal: StoreError;
  try {
    return await runUpsert(db, ctx, batch.rows, batch.failures);
  } catch (err) {
    if (!isRefusal(err)) throw err;
    refusal = err;
  }
  const refused: FailureRow[] = [];
  // With failures in the statement, the refusal may be theirs: the rows alone were not tried yet.
  const stored = await settle(db, ctx, batch.rows, refused, batch.failures.length === 0 ? refusal : null);
  const failed = await runUpsert(db, ctx, [], [...batch.failures, ...refused]);
  return [...stored, ...failed];
}

/**
 * Writes `rows` (known to be refused with `refusal`, or not yet tried when null), splitting a refused
 * set in halves; collects each item refused alone as a failure row carrying the database's reason.
 */
async function settle(db: DbQueries, ctx: BatchContext, rows: ItemRow[], refused: FailureRow[], refusal: StoreError | null): Promise<ItemOutcome[]> {
  if (rows.length === 0) return [];
  if (refusal === null) {
    try {
      return await runUpsert(db, ctx, rows, []);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      refusal = err;
    }
  }
  if (rows.length === 1) {
    const row = rows[0]!;
    refused.push({ ord: row.ord, external_id: loggableId(row.external_id), key: row.key, error: refusalReason(refusal) });
    return [];
  }
  const mid = Math.ceil(rows.length / 2);
  return [...(await settle(db, ctx, rows.slice(0, mid), refused, null)), ...(await settle(db, ctx, rows.slice(mid), refused, null))];
}

const isRefusal = (err: unknown): err is StoreError => err instanceof StoreError && err.failure === 'refused';

async function runUpsert(db: DbQueries, ctx: BatchContext, rows: ItemRow[], failures: FailureRow[]): Promise<ItemOutcome[]> {
  const { rows: outcomes } = await db.query<ItemOutcome>(UPSERT_SQL, upsertParams(ctx, rows, failures));
  return outcomes;
}

/** UPSERT_SQL's parameters (exported with it for the test that reads its plan). */
export function upsertParams(ctx: BatchContext, rows: ItemRow[], failures: FailureRow[]): unknown[] {
  return [
    JSON.stringify(rows),
    JSON.stringify(failures),
    ctx.tenantId ?? '',
    ctx.sourceType,
    ctx.sourceInstance,
    ctx.jobId,
    ctx.batchNo,
    ctx.scope ?? null,
  ];
}
