/** The item store's public types: CONTRACT §4 work items and the per-job item log of §2. */
import type { NormalizedItem, SourceType } from '../connectors/connector.js';
import type { ItemAction } from '../jobs/types.js';

/** A stored work item exactly as the API returns it (CONTRACT §4): the normalized item plus where it lives. */
export interface WorkItem extends NormalizedItem {
  id: string;
  tenant_id: string | null;
  source_type: SourceType;
  source_instance: string;
}

export interface UpsertContext {
  /** null = no tenancy (stored as '') */
  tenantId: string | null;
  sourceType: SourceType;
  sourceInstance: string;
  jobId: string;
  /** The run's batch number (its page count so far, 1-based); decides `countable` on re-delivery. */
  batchNo?: number;
}

/** An item the connector could not normalize; recorded in the job's item log only. */
export interface ItemFailure {
  external_id: string;
  key: string | null;
  error: string;
}

export interface BatchOutcome {
  external_id: string;
  key: string | null;
  item_id: string | null;
  action: ItemAction;
  error: string | null;
  /**
   * false when this job had already recorded this item (a batch re-delivered after a crash, or
   * the item seen twice while paging); `action`/`error`/`item_id` are then the ones first recorded.
   * The runner counts only firstInJob outcomes, so nothing is counted twice.
   */
  firstInJob: boolean;
  /**
   * true when the runner must count this outcome in the job's progress: recorded now, or recorded
   * earlier by a batch with the same or a later number (a crashed attempt whose progress was never saved).
   */
  countable: boolean;
}

export interface JobItem {
  external_id: string;
  key: string | null;
  item_id: string | null;
  action: ItemAction;
  error: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface JobItemsQuery {
  action?: ItemAction;
  cursor?: string;
  limit: number;
}

export interface ListItemsQuery {
  /** null = every tenant (no API keys configured) */
  tenantId: string | null;
  source_type?: SourceType;
  project?: string;
  updated_since?: Date;
  /** case-insensitive substring of title, key or description */
  q?: string;
  cursor?: string;
  limit: number;
}

export interface WatermarkScope {
  tenantId: string | null;
  sourceType: SourceType;
  sourceInstance: string;
  scope: string;
}

export interface ItemStore {
  upsertBatch(ctx: UpsertContext, items: NormalizedItem[], failures: ItemFailure[]): Promise<BatchOutcome[]>;
  jobItems(jobId: string, query: JobItemsQuery): Promise<Page<JobItem>>;
  getItem(id: string, tenantId: string | null): Promise<WorkItem | null>;
  listItems(query: ListItemsQuery): Promise<Page<WorkItem>>;
  getWatermark(scope: WatermarkScope): Promise<Date | null>;
  setWatermark(scope: WatermarkScope, at: Date): Promise<void>;
  countItems(): Promise<number>;
  /** Ids of jobs whose item log has rows recorded before `before` (oldest first, at most `limit` rows looked at). */
  jobsRecordedBefore(before: Date, limit: number): Promise<string[]>;
  /** Drops the item log of these jobs; returns the rows deleted. */
  deleteJobItems(jobIds: string[]): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
