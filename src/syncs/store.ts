/**
 * The syncs table (migration 004): one row per sync, keyset listing, and the two conditional
 * updates that keep runs from overlapping: claimRun (a new run only if the last one is still the
 * one the caller saw) and settle (a run's end counted once, whoever reports it first).
 */
import type { Db } from '../store/db.js';
import { decodeCursor, encodeCursor, integerIn } from '../store/cursor.js';
import type { JobStatus } from '../jobs/types.js';
import type { SyncRow, SyncSchedule, SyncStatus } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEQ = integerIn(1n, 9_223_372_036_854_775_807n);

const COLUMNS = `sync_id, tenant_id, scope_hash, status, source_type, base_url, source_instance, scope, config, options,
  sealed_credentials, sealed_webhook_secret, callback_url, every_seconds, full_every_seconds, created_at, updated_at,
  last_job_id, last_mode, last_run_at, last_status, last_error, consecutive_failures, next_run_at, last_full_at,
  run_watermark, settled_job_id`;

const TIMES = ['created_at', 'updated_at', 'last_run_at', 'next_run_at', 'last_full_at', 'run_watermark'] as const;

type Raw = Record<string, unknown>;

function toRow(raw: Raw): SyncRow {
  const row = { ...raw } as Raw;
  for (const k of TIMES) {
    const v = row[k];
    row[k] = v === null || v === undefined ? null : new Date(v as string | Date).toISOString();
  }
  row.tenant_id = row.tenant_id === '' ? null : row.tenant_id;
  delete row.seq_text;
  return row as unknown as SyncRow;
}

export type NewSync = Omit<SyncRow, 'last_job_id' | 'last_mode' | 'last_run_at' | 'last_status' | 'last_error'
  | 'consecutive_failures' | 'last_full_at' | 'run_watermark' | 'settled_job_id'>;

/** How a run ended, as the sync counts it. */
export interface RunEnd {
  status: JobStatus;
  error: string | null;
  /** when the run actually started (its started_at), else when it was queued */
  runAt: string | null;
  /** a completed full run: the next full run is due full_every_seconds after `runAt` */
  fullCompleted: boolean;
}

export class SyncStore {
  constructor(private readonly db: Db) {}

  /** null: the scope has a sync already (of this tenant). */
  async insert(s: NewSync): Promise<SyncRow | null> {
    const { rows } = await this.db.query<Raw>(
      `INSERT INTO syncs (sync_id, tenant_id, scope_hash, status, source_type, base_url, source_instance, scope, config, options,
         sealed_credentials, sealed_webhook_secret, callback_url, every_seconds, full_every_seconds, created_at, updated_at, next_run_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $16, $16, $17)
       ON CONFLICT (scope_hash) DO NOTHING RETURNING ${COLUMNS}`,
      [s.sync_id, s.tenant_id ?? '', s.scope_hash, s.status, s.source_type, s.base_url, s.source_instance, s.scope,
        JSON.stringify(s.config), JSON.stringify(s.options), s.sealed_credentials, s.sealed_webhook_secret, s.callback_url,
        s.every_seconds, s.full_every_seconds, s.created_at, s.next_run_at],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** `tenantId` null: any tenant's (API keys off, or the worker). */
  async get(syncId: string, tenantId: string | null): Promise<SyncRow | null> {
    if (!UUID.test(syncId)) return null;
    const { rows } = await this.db.query<Raw>(
      `SELECT ${COLUMNS} FROM syncs WHERE sync_id = $1::uuid AND ($2::text IS NULL OR tenant_id = $2)`,
      [syncId, tenantId],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Newest first; the cursor is the last row's sequence number. */
  async list(q: { tenantId: string | null; status?: SyncStatus; limit: number; cursor?: string }): Promise<{ rows: SyncRow[]; next_cursor: string | null }> {
    const params: unknown[] = [q.tenantId, q.status ?? null];
    let where = `($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR status = $2)`;
    if (q.cursor) {
      const [seq] = decodeCursor(q.cursor, [SEQ]);
      params.push(seq);
      where += ` AND seq < $${params.length}::bigint`;
    }
    params.push(q.limit + 1);
    const { rows } = await this.db.query<Raw>(
      `SELECT ${COLUMNS}, seq::text AS seq_text FROM syncs WHERE ${where} ORDER BY syncs.seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { rows: page.map(toRow), next_cursor: rows.length > q.limit && last ? encodeCursor([String(last.seq_text)]) : null };
  }

  async update(syncId: string, tenantId: string | null, change: { status?: SyncStatus; schedule?: SyncSchedule; nextRunAt?: string | null }): Promise<SyncRow | null> {
    const { rows } = await this.db.query<Raw>(
      `UPDATE syncs SET status = COALESCE($3, status),
         every_seconds = COALESCE($4, every_seconds), full_every_seconds = COALESCE($5, full_every_seconds),
         next_run_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE next_run_at END, updated_at = now()
       WHERE sync_id = $1::uuid AND ($2::text IS NULL OR tenant_id = $2) RETURNING ${COLUMNS}`,
      [syncId, tenantId, change.status ?? null, change.schedule?.every_seconds ?? null, change.schedule?.full_every_seconds ?? null,
        change.nextRunAt !== undefined, change.nextRunAt ?? null],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async setNextRun(syncId: string, at: string | null): Promise<void> {
    await this.db.query('UPDATE syncs SET next_run_at = $2 WHERE sync_id = $1::uuid', [syncId, at]);
  }

  async delete(syncId: string, tenantId: string | null): Promise<boolean> {
    if (!UUID.test(syncId)) return false;
    const { rows } = await this.db.query<Raw>(
      `DELETE FROM syncs WHERE sync_id = $1::uuid AND ($2::text IS NULL OR tenant_id = $2) RETURNING sync_id`,
      [syncId, tenantId],
    );
    return rows.length > 0;
  }

  /**
   * Makes `jobId` the sync's run, only while its last run is still `prevJobId` and it is active:
   * of a tick and a "run now" racing, one wins. false: someone else started a run, or it was paused.
   */
  async claimRun(s: SyncRow, jobId: string, mode: 'full' | 'incremental', watermark: Date | null, at: string, ignoreStatus = false): Promise<boolean> {
    const { rows } = await this.db.query<Raw>(
      `UPDATE syncs SET last_job_id = $2, last_mode = $3, run_watermark = $4, last_run_at = $5, last_status = 'pending', last_error = NULL
       WHERE sync_id = $1::uuid AND last_job_id IS NOT DISTINCT FROM $6::uuid AND ($7::boolean OR status = 'active') RETURNING sync_id`,
      [s.sync_id, jobId, mode, watermark?.toISOString() ?? null, at, s.last_job_id, ignoreStatus],
    );
    return rows.length > 0;
  }

  /** Undoes a claim whose job could not be created (Redis down, tenant quota): the sync is as it was. */
  async unclaim(s: SyncRow, jobId: string): Promise<void> {
    await this.db.query(
      `UPDATE syncs SET last_job_id = $3, last_mode = $4, run_watermark = $5, last_run_at = $6, last_status = $7, last_error = $8
       WHERE sync_id = $1::uuid AND last_job_id = $2::uuid`,
      [s.sync_id, jobId, s.last_job_id, s.last_mode, s.run_watermark, s.last_run_at, s.last_status, s.last_error],
    );
  }

  /** Counts the end of run `jobId` once: false when it was counted already, or is no longer the sync's last run. */
  async settle(syncId: string, jobId: string, end: RunEnd): Promise<boolean> {
    const { rows } = await this.db.query<Raw>(
      `UPDATE syncs SET settled_job_id = last_job_id, last_status = $3, last_error = $4,
         last_run_at = COALESCE($5::timestamptz, last_run_at),
         consecutive_failures = CASE $3 WHEN 'completed' THEN 0 WHEN 'failed' THEN consecutive_failures + 1 ELSE consecutive_failures END,
         last_full_at = CASE WHEN $6::boolean THEN COALESCE($5::timestamptz, last_run_at) ELSE last_full_at END
       WHERE sync_id = $1::uuid AND last_job_id = $2::uuid AND settled_job_id IS DISTINCT FROM $2::uuid RETURNING sync_id`,
      [syncId, jobId, end.status, end.error, end.runAt, end.fullCompleted],
    );
    return rows.length > 0;
  }

  /** Active syncs, newest first, for putting back schedulers Redis lost; `after` is the last seq seen. */
  async activeIds(after: string | null, limit: number): Promise<{ ids: { sync_id: string; every_seconds: number }[]; last: string | null }> {
    const { rows } = await this.db.query<{ sync_id: string; every_seconds: number; seq_text: string }>(
      `SELECT sync_id, every_seconds, seq::text AS seq_text FROM syncs WHERE status = 'active' AND ($1::bigint IS NULL OR syncs.seq < $1::bigint)
       ORDER BY syncs.seq DESC LIMIT $2`,
      [after, limit],
    );
    return { ids: rows.map(({ sync_id, every_seconds }) => ({ sync_id, every_seconds })), last: rows.length === limit ? rows[rows.length - 1]!.seq_text : null };
  }
}
