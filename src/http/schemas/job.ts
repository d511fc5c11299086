/** CONTRACT §3 job record as response schema, and the job list query/response. */
import { Type, type Static } from 'typebox';
import { SOURCE_TYPES } from '../../connectors/connector.js';
import { JOB_STATUSES } from '../../jobs/types.js';
import { JOB_ERROR_CODES } from '../../errors.js';
import { ITEM_ACTIONS } from '../../items/types.js';
import { Cursor, LIMITS, Limit, Nullable, StringEnum } from './common.js';

export const SourceTypeSchema = StringEnum(SOURCE_TYPES);
export const JobStatusSchema = StringEnum(JOB_STATUSES);
export const ItemActionSchema = StringEnum(ITEM_ACTIONS);

const Progress = Type.Object(
  {
    total_items: Type.Integer(),
    processed_items: Type.Integer(),
    successful_items: Type.Integer(),
    failed_items: Type.Integer(),
    skipped_items: Type.Integer(),
    partial_items: Type.Optional(Type.Integer({ description: 'stored items whose comments, history or attachments are not all there (see their completeness)' })),
    percentage: Type.Number(),
    estimated_time_remaining: Nullable('number', { description: 'seconds, null until known' }),
    current_batch: Type.Integer(),
    total_batches: Type.Integer(),
  },
  { additionalProperties: true },
);

const ImportedItem = Type.Object(
  {
    external_id: Type.String(),
    key: Nullable('string'),
    item_id: Nullable('string'),
    action: ItemActionSchema,
  },
  { additionalProperties: true },
);

const Timestamp = Nullable('string', { format: 'date-time' });

/** additionalProperties true: a field the core adds to the record is passed through, not dropped. */
export const JobSchema = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    request_id: Type.String(),
    status: JobStatusSchema,
    source_type: SourceTypeSchema,
    source: Type.Object({ base_url: Type.String(), scope: Type.String() }, { additionalProperties: true }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    started_at: Timestamp,
    completed_at: Timestamp,
    progress: Progress,
    imported_items: Type.Array(ImportedItem, { description: 'the first 1,000; GET /api/imports/{id}/items has all' }),
    error_code: Nullable('string', { enum: [...JOB_ERROR_CODES, null] }),
    error_message: Nullable('string'),
    tenant_id: Nullable('string'),
    correlation_id: Nullable('string'),
    sync_id: Type.Optional(Type.String({ format: 'uuid', description: 'the sync this job is a run of; absent on imports started by hand' })),
  },
  { additionalProperties: true, title: 'Job' },
);

/** The job schema with a response description (and response headers) for OpenAPI. */
export function jobResponse(description: string, headers?: Record<string, object>) {
  return Type.Object(JobSchema.properties, { additionalProperties: true, description, ...(headers && { headers }) });
}

export const JobListQuery = Type.Object(
  {
    status: Type.Optional(JobStatusSchema),
    source_type: Type.Optional(SourceTypeSchema),
    tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, format: 'text' })),
    limit: Limit(LIMITS.jobs.max, LIMITS.jobs.def),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type JobListQuery = Static<typeof JobListQuery>;

export const JobListResponse = Type.Object(
  { jobs: Type.Array(JobSchema), total: Type.Integer(), next_cursor: Nullable('string') },
  { additionalProperties: false, description: 'jobs newest first; next_cursor null on the last page' },
);
