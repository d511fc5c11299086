/**
 * Marks the items of one scope that a complete full import did not see as deleted (CONTRACT §13).
 * Whether the run may do so at all (full, complete, counts agree) is the runner's decision
 * (jobs/deletions.ts); this is the store's half: which rows, exactly, and their change-feed rows.
 */
import type { Db } from './db.js';
import type { ItemHome, ItemScope } from '../items/types.js';

export type MarkDeletedResult = { deleted: number } | { skipped: string };

/**
 * Unseen means all of:
 *  - the item's stored scope is this scope (another JQL, repository or read filter of the same
 *    source instance is never touched; rows without a scope, older than the column, never are);
 *  - last_job_id is not this job (the upsert sets it on every sighting, unchanged items included,
 *    and a resumed job keeps its id, so sightings before a crash or hand-back count);
 *  - this job's item log does not name it either (an item that failed to normalize or that the
 *    database refused was still seen; so was one that another writer touched after this job did);
 *  - nobody has delivered it since this job's first batch was stored (seen_at): an item another
 *    writer (another scope, a webhook) saw meanwhile exists, whatever this run's pages said.
 * A run whose item log holds a failure the connector could not identify (`unidentifiedPrefix`)
 * marks nothing: that record may be any stored item. Nor does a run that stored nothing at all:
 * a scope that reads as empty is far more often a lost permission than a mass deletion.
 */
export async function markUnseenDeleted(db: Db, scope: ItemScope & { jobId: string }, unidentifiedPrefix: string): Promise<MarkDeletedResult> {
  return db.transaction(async (tx) => {
    const { rows: [log] = [] } = await tx.query<{ first: Date | null; unidentified: boolean }>(
      `SELECT min(recorded_at) AS first,
         bool_or(action = 'failed' AND starts_with(external_id, $2)) AS unidentified
       FROM job_items WHERE job_id = $1::uuid`,
      [scope.jobId, unidentifiedPrefix],
    );
    if (!log?.first) return { skipped: 'the run stored no items' };
    if (log.unidentified) return { skipped: 'a record the source sent could not be identified' };
    const { rows } = await tx.query<{ n: string }>(
      `WITH marked AS (
         UPDATE work_items w SET deleted_at = now()
         WHERE w.tenant_id = $1 AND w.source_type = $2 AND w.source_instance = $3 AND w.scope = $4
           AND w.deleted_at IS NULL
           AND w.last_job_id <> $5::uuid
           AND w.seen_at < $6::timestamptz
           AND NOT EXISTS (SELECT 1 FROM job_items j WHERE j.job_id = $5::uuid AND j.external_id = w.external_id)
         RETURNING w.id, w.project, w.external_id
       ),
       changed AS (
         INSERT INTO item_changes (tenant_id, item_id, change, source_type, project, external_id)
         SELECT $1, m.id, 'deleted', $2, m.project, m.external_id FROM marked m ORDER BY m.external_id
       )
       SELECT count(*)::text AS n FROM marked`,
      [scope.tenantId ?? '', scope.sourceType, scope.sourceInstance, scope.scope, scope.jobId, log.first.toISOString()],
    );
    return { deleted: Number(rows[0]?.n ?? 0) };
  });
}

/** Names one stored item: by external_id, or by key within its project (GitHub and GitLab `#n`). */
export type ItemMatch = { externalId: string } | { project: string; key: string };

/**
 * Marks one item deleted, with its 'deleted' change row, in one statement (CONTRACT §12: a vendor
 * reported it deleted and the source confirmed). An item deleted already, or never stored, changes
 * nothing and adds nothing to the feed. Returns the ids marked.
 */
export async function markItemDeleted(db: Db, home: ItemHome, match: ItemMatch): Promise<string[]> {
  const byId = 'externalId' in match;
  const { rows } = await db.query<{ id: string }>(
    `WITH marked AS (
       UPDATE work_items w SET deleted_at = now()
       WHERE w.tenant_id = $1 AND w.source_type = $2 AND w.source_instance = $3 AND w.deleted_at IS NULL
         AND CASE WHEN $4::boolean THEN w.external_id = $5 ELSE w.project = $5 AND w.key = $6 END
       RETURNING w.id, w.project, w.external_id
     ),
     changed AS (
       INSERT INTO item_changes (tenant_id, item_id, change, source_type, project, external_id)
       SELECT $1, m.id, 'deleted', $2, m.project, m.external_id FROM marked m ORDER BY m.external_id
     )
     SELECT id FROM marked`,
    [home.tenantId ?? '', home.sourceType, home.sourceInstance, byId, byId ? match.externalId : match.project, byId ? null : match.key],
  );
  return rows.map((r) => r.id);
}
