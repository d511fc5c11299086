/** A sync as the API shows it (CONTRACT §11), and what is kept of it in the database. */
import type { SourceType } from '../connectors/connector.js';
import type { FieldMap, JobStatus } from '../jobs/types.js';

export const SYNC_STATUSES = ['active', 'paused'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export interface SyncSchedule {
  every_seconds: number;
  full_every_seconds: number;
}

/** The options a sync's runs take; mode, since and dry_run are the schedule's business. */
export interface SyncOptions {
  batch_size?: number;
  include_comments?: boolean;
  include_history?: boolean;
  download_attachments?: boolean;
  field_map?: FieldMap;
}

/** The API's view. Never a credential; `webhook_secret` only in the answer to the POST. */
export interface Sync {
  sync_id: string;
  status: SyncStatus;
  source_type: SourceType;
  source: { base_url: string; scope: string };
  schedule: SyncSchedule;
  created_at: string;
  updated_at: string;
  last_job_id: string | null;
  /** when the last run was started (queued), ISO-8601 */
  last_run_at: string | null;
  /** the last run's status: pending|processing while it runs, then its end; 'failed' also for a completed run whose watermark did not advance */
  last_status: JobStatus | null;
  /** why the last run failed (its error_message, or the watermark check); null otherwise */
  last_error: string | null;
  next_run_at: string | null;
  consecutive_failures: number;
  webhook_url: string;
  tenant_id: string | null;
}

/** A row of `syncs`, as the core works with it (sealed columns included; never sent out). */
export interface SyncRow {
  sync_id: string;
  tenant_id: string | null;
  scope_hash: string;
  status: SyncStatus;
  source_type: SourceType;
  base_url: string;
  source_instance: string;
  scope: string;
  config: Record<string, unknown>;
  options: SyncOptions;
  sealed_credentials: string;
  sealed_webhook_secret: string;
  callback_url: string | null;
  every_seconds: number;
  full_every_seconds: number;
  created_at: string;
  updated_at: string;
  last_job_id: string | null;
  last_mode: 'full' | 'incremental' | null;
  last_run_at: string | null;
  last_status: JobStatus | null;
  last_error: string | null;
  consecutive_failures: number;
  next_run_at: string | null;
  last_full_at: string | null;
  run_watermark: string | null;
  settled_job_id: string | null;
}

export interface SyncPage {
  syncs: Sync[];
  next_cursor: string | null;
}
