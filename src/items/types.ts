/**
 * The item vocabulary shared by the runner (jobs/) and the item store (store/): what happened to
 * one item in one batch, and where a batch belongs. Declared here once; neither side owns it.
 */
import type { SourceType } from '../connectors/connector.js';

export const ITEM_ACTIONS = ['created', 'updated', 'unchanged', 'failed'] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/**
 * How the runner names a failed record the connector could not identify (`unknown:<batch>:<index>`).
 * Such a failure may be any stored item, so the run that met it marks no deletions.
 */
export const UNIDENTIFIED_PREFIX = 'unknown:';

/** An item that could not be stored (not normalized, invalid, too large): it fails alone. */
export interface ItemFailure {
  external_id: string;
  key: string | null;
  error: string;
}

/** What the store did with one item of a batch. */
export interface ItemOutcome {
  external_id: string;
  key: string | null;
  item_id: string | null;
  action: ItemAction;
  error: string | null;
  /** the item's comments, history or attachments are not all there (its `completeness` says which) */
  partial: boolean;
  /**
   * true when the runner must count this outcome in the job's progress: recorded now, or recorded
   * earlier by a batch with the same or a later number (a crashed attempt whose progress was never
   * saved). false when a batch whose progress was saved had already recorded it; `action`, `error`
   * and `item_id` are then the ones first recorded, so nothing is counted twice.
   */
  countable: boolean;
}

/** The import scope a watermark belongs to. */
export interface ItemScope {
  /** null = no tenancy (stored as '') */
  tenantId: string | null;
  sourceType: SourceType;
  sourceInstance: string;
  scope: string;
}

/** Where stored items live: one tenant's items of one source instance. */
export type ItemHome = Omit<ItemScope, 'scope'>;

/** Where one batch is written: the items' home and the job's item log. */
export interface BatchContext extends Omit<ItemScope, 'scope'> {
  /**
   * The items' deletion scope (itemScopeKey in jobs/): a full run of this scope may mark the ones
   * it did not see deleted. Absent or null (a writer that knows no scope) keeps the stored one.
   */
  scope?: string | null;
  jobId: string;
  /** The run's batch number (its page count so far, 1-based); decides `countable` on re-delivery. */
  batchNo: number;
}
