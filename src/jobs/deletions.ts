/**
 * Deletion detection after a full import (CONTRACT §13): the runner's half, deciding whether this
 * run may mark anything. Only a run that asked the source for its whole scope (mode full, no
 * `since`, not a dry run), read every page and completed, and whose item count equals the source's
 * own total. The store's half (which rows) is store/deletions.ts.
 */
import type { Logger } from 'pino';
import { toJobError } from '../errors.js';
import type { Connector, ConnectorModule } from '../connectors/connector.js';
import type { ItemScope } from '../items/types.js';
import type { MarkDeletedResult } from '../store/deletions.js';
import type { ImportJobData } from './queue.js';
import type { JobRecord } from './types.js';

export interface DeletionStore {
  markUnseenDeleted(scope: ItemScope & { jobId: string }): Promise<MarkDeletedResult>;
}

/**
 * The scope stored on the items this job writes: the job scope, plus the connector's read filter
 * (a GitHub run of open issues only is a scope of its own, so it never marks the closed ones).
 */
export function itemScopeKey(module: ConnectorModule, data: ImportJobData): string {
  const filter = module.describe(data.config).read_filter;
  return filter ? `${data.scope}\n${filter}` : data.scope;
}

export interface DeletionCheck {
  /** the source's count when the run started (null: it declares none) */
  declared: number | null;
  /** the lower bound the run used (null: the whole scope) */
  since: string | null;
}

/** Items marked deleted, or why none were looked for. Never throws: the job has already completed. */
export async function markDeletions(
  store: DeletionStore, module: ConnectorModule, connector: Connector, data: ImportJobData, job: JobRecord,
  check: DeletionCheck, signal: AbortSignal, log: Logger,
): Promise<MarkDeletedResult> {
  if (data.options.mode !== 'full' || data.options.dry_run) return { skipped: 'not a full import' };
  if (check.since !== null) return { skipped: 'a full import from `since` reads part of the scope' };
  const seen = job.progress.processed_items;
  try {
    // The source may have changed while the run read it: its count now is the second witness.
    let total = check.declared;
    if (total !== seen) total = await connector.count({ since: null, signal });
    // A source that declares no total cannot confirm the read was whole: nothing is marked.
    if (total === null) return { skipped: 'the source declares no total' };
    if (total !== seen) return { skipped: `the run met ${seen} items, the source counts ${total}` };
    return await store.markUnseenDeleted({
      tenantId: data.tenant_id, sourceType: data.source_type, sourceInstance: data.source_instance,
      scope: itemScopeKey(module, data), jobId: data.job_id,
    });
  } catch (err) {
    // Found by the next full run instead; the import itself stays completed.
    // (the code only: a source's message is redacted by the runner, which this is not)
    log.warn({ error_code: toJobError(err).code }, 'deletions not marked: the check failed');
    return { skipped: 'the check failed' };
  }
}
