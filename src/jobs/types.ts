/** The job record of CONTRACT §3, exactly as stored at import:job:{id} and returned by the API. */
import type { SourceType } from '../connectors/connector.js';
import type { ItemAction, ItemOutcome } from '../items/types.js';
import type { JobErrorCode } from '../errors.js';
import type { MappedField } from '../connectors/item-depth.js';

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export interface JobProgress {
  total_items: number;
  processed_items: number;
  successful_items: number;
  failed_items: number;
  skipped_items: number;
  /** stored items whose comments, history or attachments are not all there (issue 12); absent in older records */
  partial_items?: number;
  percentage: number;
  estimated_time_remaining: number | null;
  current_batch: number;
  total_batches: number;
}

/** An entry of the record's `imported_items`. */
export type ImportedItemRef = Omit<ItemOutcome, 'error' | 'countable' | 'partial'>;

export interface JobRecord {
  job_id: string;
  request_id: string;
  status: JobStatus;
  source_type: SourceType;
  source: { base_url: string; scope: string };
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: JobProgress;
  imported_items: ImportedItemRef[];
  error_code: JobErrorCode | null;
  error_message: string | null;
  tenant_id: string | null;
  correlation_id: string | null;
  /** CONTRACT §11: set only on the runs of a sync (absent on imports started by hand). */
  sync_id?: string;
}

/** options.field_map: a normalized field → the custom field id or display name that fills it. */
export type FieldMap = Partial<Record<MappedField, string>>;

export interface ImportOptions {
  mode: 'full' | 'incremental';
  since?: string;
  batch_size: number;
  include_comments: boolean;
  dry_run: boolean;
  /** issue 12; absent in jobs queued before these options existed (read as the defaults) */
  include_history?: boolean;
  download_attachments?: boolean;
  field_map?: FieldMap;
}

/** POST /api/imports body after validation (source_config still holds secrets). */
export interface CreateImportInput {
  source_type: SourceType;
  source_config: Record<string, unknown>;
  options?: Partial<ImportOptions>;
  tenant_id?: string;
  callback_url?: string;
  correlation_id?: string;
}

export interface ListFilter {
  tenant_id: string | null;
  status?: JobStatus;
  source_type?: SourceType;
  limit: number;
  cursor?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  total: number;
  next_cursor: string | null;
}

/** GET /api/imports/{job_id}/callback (CONTRACT §8): pending until the job has ended and the receiver took it. */
export interface CallbackState {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_attempt_at: string | null;
  last_error: string | null;
}

/** What the HTTP layer needs from the jobs core; routes never touch Redis directly. */
export interface JobService {
  /** Throws AppError(VALIDATION_ERROR | SOURCE_URL_FORBIDDEN | IDEMPOTENCY_KEY_REUSED). `created` false = idempotent replay. */
  create(
    input: CreateImportInput,
    ctx: { tenantId: string | null; requestId: string; correlationId: string | null; idempotencyKey: string | null },
  ): Promise<{ job: JobRecord; created: boolean }>;
  /** null when missing, expired, malformed id or another tenant's (tenantId null = no tenancy check). */
  get(jobId: string, tenantId: string | null): Promise<JobRecord | null>;
  /**
   * As `get`, but the record's JSON text as stored, not parsed: what GET /api/imports/{id} sends.
   * The tenant check reads tenant_id from the text (record-tenant.ts), not from a full parse.
   */
  getJson(jobId: string, tenantId: string | null): Promise<string | null>;
  list(filter: ListFilter): Promise<JobPage>;
  /** Throws AppError(JOB_NOT_FOUND | JOB_NOT_CANCELLABLE). */
  cancel(jobId: string, tenantId: string | null): Promise<JobRecord>;
  /**
   * Calls onChange with each new version of the record and the event kind, and onResync after the
   * notification channel reconnected (changes may have been missed); returns an unsubscribe function.
   */
  watch(jobId: string, onChange: (job: JobRecord, kind: 'progress' | 'status') => void, onResync?: () => void): Promise<() => Promise<void>>;
  /** null when the job is not found (as for `get`) or has no callback_url. */
  callback(jobId: string, tenantId: string | null): Promise<CallbackState | null>;
  /** For /metrics: jobs by status (from the indexes) and items imported since the Redis db was created. */
  stats(): Promise<{ byStatus: Record<JobStatus, number>; itemsImported: Record<ItemAction, number> }>;
  /** For /metrics: entries of the BullMQ queue by state (waiting, delayed, active, …). */
  queueDepth(): Promise<Record<string, number>>;
}
