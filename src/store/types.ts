/** The item store's public types: CONTRACT §4 work items and the per-job item log of §2. */
import type { ItemComment, NormalizedItem, SourceType } from '../connectors/connector.js';
import type { BatchContext, ItemAction, ItemFailure, ItemHome, ItemOutcome, ItemScope } from '../items/types.js';
import type { Attachment, CustomField, HistoryEntry, ItemCompleteness, MappedFields } from '../connectors/item-depth.js';
import type { ChangesPage, ChangesQuery } from './changes.js';
import type { ItemMatch, MarkDeletedResult } from './deletions.js';
import type { PeopleDirectory } from './people/types.js';

/** A stored work item exactly as the API returns it (CONTRACT §4): the normalized item plus where it lives. */
export interface WorkItem extends Omit<NormalizedItem, 'history' | 'attachments' | 'custom_fields' | 'fields' | 'completeness'> {
  history: HistoryEntry[];
  attachments: Attachment[];
  custom_fields: CustomField[];
  fields: MappedFields | null;
  completeness: ItemCompleteness | null;
  id: string;
  tenant_id: string | null;
  source_type: SourceType;
  source_instance: string;
  /** when a complete full import of its scope last missed it; null while present (CONTRACT §13) */
  deleted_at: string | null;
}

/** One row of a job's item log (GET /api/imports/{id}/items). */
export type JobItem = Omit<ItemOutcome, 'countable' | 'partial'>;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface JobItemsQuery {
  action?: ItemAction;
  completeness?: 'partial';
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
  /** deleted items are left out unless this is true */
  include_deleted?: boolean;
  cursor?: string;
  limit: number;
}

/** The whole store, people directory included (issue 12); it meets the runner's port (RunStore in jobs/) as it is, with no adapter. */
export interface ItemStore extends PeopleDirectory {
  /** Stores a batch and records it in the job's item log; one outcome per distinct external_id, in order. */
  upsertBatch(ctx: BatchContext, items: NormalizedItem[], failures: ItemFailure[]): Promise<ItemOutcome[]>;
  getWatermark(scope: ItemScope): Promise<Date | null>;
  setWatermark(scope: ItemScope, at: Date): Promise<void>;
  /** After a complete full import: marks the scope's items the job did not see as deleted. */
  markUnseenDeleted(scope: ItemScope & { jobId: string }): Promise<MarkDeletedResult>;
  /** A vendor webhook's confirmed delete: marks that one item deleted (with its change row); the ids marked. */
  markItemDeleted(home: ItemHome, match: ItemMatch): Promise<string[]>;
  /** One page of the change feed; CURSOR_EXPIRED for a cursor older than the rows the feed keeps. */
  changes(query: ChangesQuery): Promise<ChangesPage>;
  /** Drops at most `limit` of the oldest change rows written before `before`; the rows dropped. */
  pruneChanges(before: Date, limit: number): Promise<number>;
  /** The stored comments of these items of one tenant and source instance, by external_id. */
  storedComments(home: ItemHome, externalIds: string[]): Promise<Map<string, ItemComment[]>>;
  /** external_ids of the stored items of one project by key. */
  storedIdsByKey(home: ItemHome, project: string, keys: string[]): Promise<Map<string, string>>;
  jobItems(jobId: string, query: JobItemsQuery): Promise<Page<JobItem>>;
  getItem(id: string, tenantId: string | null): Promise<WorkItem | null>;
  listItems(query: ListItemsQuery): Promise<Page<WorkItem>>;
  countItems(): Promise<number>;
  /** Ids of jobs whose item log has rows recorded before `before` (oldest first, at most `limit` rows looked at). */
  jobsRecordedBefore(before: Date, limit: number): Promise<string[]>;
  /** Drops the item log of these jobs; returns the rows deleted. */
  deleteJobItems(jobIds: string[]): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
