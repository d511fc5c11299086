/** Reads of the item store: work items (tenant-scoped, keyset paged), the job item log, watermarks. */
import type { Db } from './db.js';
import { decodeCursor, encodeCursor, integerIn } from './cursor.js';
import type { ItemComment } from '../connectors/connector.js';
import type { ItemHome, ItemScope } from '../items/types.js';
import type { JobItem, JobItemsQuery, ListItemsQuery, Page, WorkItem } from './types.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Microseconds since the epoch, years 0001-9999 (what a timestamptz sort key can be). */
const MICROS = integerIn(-62_135_596_800_000_000n, 253_402_300_799_999_999n);
/** A bigint sequence number. */
const SEQ = integerIn(0n, 9_223_372_036_854_775_807n);

const ITEM_COLUMNS = `id, tenant_id, source_type, source_instance, project, external_id, key, title,
  description, status, status_category, priority, item_type, assignee, reporter, labels, url,
  parent_external_id, created_at, updated_at, closed_at, comments, history, attachments,
  custom_fields, fields, completeness, raw, deleted_at`;

type ItemRow = Omit<WorkItem, 'created_at' | 'updated_at' | 'closed_at' | 'deleted_at' | 'tenant_id'> & {
  tenant_id: string;
  created_at: Date | null;
  updated_at: Date | null;
  closed_at: Date | null;
  deleted_at: Date | null;
};

function toWorkItem({ sort_key: _sortKey, ...row }: ItemRow & { sort_key?: string }): WorkItem {
  return {
    ...row,
    tenant_id: row.tenant_id === '' ? null : row.tenant_id,
    created_at: row.created_at?.toISOString() ?? null,
    updated_at: row.updated_at?.toISOString() ?? null,
    closed_at: row.closed_at?.toISOString() ?? null,
    deleted_at: row.deleted_at?.toISOString() ?? null,
  };
}

export async function getItem(db: Db, id: string, tenantId: string | null): Promise<WorkItem | null> {
  if (!UUID.test(id)) return null;
  const { rows } = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM work_items WHERE id = $1::uuid AND ($2::text IS NULL OR tenant_id = $2)`,
    [id, tenantId],
  );
  return rows[0] ? toWorkItem(rows[0]) : null;
}

/** Newest first by (updated_at, else created_at), ties by id; the cursor is the last row's pair. */
export async function listItems(db: Db, q: ListItemsQuery): Promise<Page<WorkItem>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.tenantId !== null) add((p) => `tenant_id = ${p}`, q.tenantId);
  if (!q.include_deleted) where.push('deleted_at IS NULL');
  if (q.source_type) add((p) => `source_type = ${p}`, q.source_type);
  if (q.project) add((p) => `project = ${p}`, q.project);
  if (q.updated_since) add((p) => `updated_at >= ${p}::timestamptz`, q.updated_since.toISOString());
  if (q.q) {
    add((p) => `(title ILIKE ${p} OR key ILIKE ${p} OR description ILIKE ${p})`, `%${escapeLike(q.q)}%`);
  }
  if (q.cursor) {
    const [micros, id] = decodeCursor(q.cursor, [MICROS, UUID]);
    params.push(micros, id);
    const [pm, pi] = [`$${params.length - 1}`, `$${params.length}`];
    where.push(`(sort_at, id) < ('epoch'::timestamptz + ${pm}::bigint * interval '1 microsecond', ${pi}::uuid)`);
  }
  params.push(q.limit + 1);
  const { rows } = await db.query<ItemRow & { sort_key: string }>(
    `SELECT ${ITEM_COLUMNS}, (extract(epoch FROM sort_at) * 1000000)::bigint::text AS sort_key
     FROM work_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toWorkItem),
    next_cursor: rows.length > q.limit && last ? encodeCursor([last.sort_key, last.id]) : null,
  };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The job's item log in the order items were recorded. */
export async function jobItems(db: Db, jobId: string, q: JobItemsQuery): Promise<Page<JobItem>> {
  const after = q.cursor ? (decodeCursor(q.cursor, [SEQ]) as [string])[0] : '0';
  if (!UUID.test(jobId)) return { items: [], next_cursor: null };
  const { rows } = await db.query<JobItem & { seq: string }>(
    `SELECT external_id, key, item_id, action, error, seq::text AS seq FROM job_items
     WHERE job_id = $1::uuid AND seq > $2::bigint AND ($3::text IS NULL OR action = $3)
       AND (NOT $5::boolean OR partial)
     ORDER BY job_items.seq LIMIT $4`,
    [jobId, after, q.action ?? null, q.limit + 1, q.completeness === 'partial'],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ seq: _seq, ...item }) => item),
    next_cursor: rows.length > q.limit && last ? encodeCursor([last.seq]) : null,
  };
}

const scopeParams = (s: ItemScope): unknown[] => [s.tenantId ?? '', s.sourceType, s.sourceInstance, s.scope];

export async function getWatermark(db: Db, scope: ItemScope): Promise<Date | null> {
  const { rows } = await db.query<{ watermark: Date }>(
    `SELECT watermark FROM sync_state
     WHERE tenant_id = $1 AND source_type = $2 AND source_instance = $3 AND scope = $4`,
    scopeParams(scope),
  );
  return rows[0]?.watermark ?? null;
}

/** Only ever moves the watermark forward: a late, older write cannot make the next import miss items. */
export async function setWatermark(db: Db, scope: ItemScope, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO sync_state (tenant_id, source_type, source_instance, scope, watermark)
     VALUES ($1, $2, $3, $4, $5::timestamptz)
     ON CONFLICT (tenant_id, source_type, source_instance, scope) DO UPDATE SET
       watermark = GREATEST(sync_state.watermark, EXCLUDED.watermark), updated_at = now()`,
    [...scopeParams(scope), at.toISOString()],
  );
}

/** Jobs with item log rows recorded before `before` (candidates for the retention sweep). */
export async function jobsRecordedBefore(db: Db, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ job_id: string }>(
    `SELECT DISTINCT job_id FROM (
       SELECT job_id FROM job_items WHERE recorded_at < $1::timestamptz ORDER BY recorded_at LIMIT $2
     ) oldest`,
    [before.toISOString(), limit],
  );
  return rows.map((r) => r.job_id);
}

export async function deleteJobItems(db: Db, jobIds: string[]): Promise<number> {
  if (jobIds.length === 0) return 0;
  const { rows } = await db.query<{ n: string }>(
    `WITH gone AS (DELETE FROM job_items WHERE job_id = ANY($1::uuid[]) RETURNING 1) SELECT count(*)::text AS n FROM gone`,
    [jobIds],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function countItems(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM work_items');
  return Number(rows[0]?.n ?? 0);
}

const homeParams = (h: ItemHome): unknown[] => [h.tenantId ?? '', h.sourceType, h.sourceInstance];

/** The stored comments of these items (an incremental run merges the comments changed since into them). */
export async function storedComments(db: Db, home: ItemHome, externalIds: string[]): Promise<Map<string, ItemComment[]>> {
  if (externalIds.length === 0) return new Map();
  const { rows } = await db.query<{ external_id: string; comments: ItemComment[] }>(
    `SELECT external_id, comments FROM work_items
     WHERE tenant_id = $1 AND source_type = $2 AND source_instance = $3 AND external_id = ANY($4::text[])`,
    [...homeParams(home), externalIds],
  );
  return new Map(rows.map((r) => [r.external_id, r.comments]));
}

/** external_ids of stored items of one project by key (a parent named by its key costs no source request). */
export async function storedIdsByKey(db: Db, home: ItemHome, project: string, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ key: string; external_id: string }>(
    `SELECT key, external_id FROM work_items
     WHERE tenant_id = $1 AND source_type = $2 AND source_instance = $3 AND project = $4 AND key = ANY($5::text[])`,
    [...homeParams(home), project, keys],
  );
  return new Map(rows.map((r) => [r.key, r.external_id]));
}
