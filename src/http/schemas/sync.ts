/** CONTRACT §11: the sync as response schema, the POST and PATCH bodies, the list query and response. */
import { Type, type Static, type TSchema } from 'typebox';
import { SOURCE_TYPES, type ConnectorModule, type SourceType } from '../../connectors/connector.js';
import { JOB_STATUSES } from '../../jobs/types.js';
import { SYNC_STATUSES } from '../../syncs/types.js';
import { Cursor, LIMITS, Limit, Nullable, StringEnum } from './common.js';
import { SourceTypeSchema } from './job.js';
import { DepthOptions } from './depth-options.js';

export const SyncStatusSchema = StringEnum(SYNC_STATUSES);

const DAY = 86_400;

export const ScheduleSchema = Type.Object(
  {
    every_seconds: Type.Integer({ minimum: 1, maximum: 365 * DAY, description: 'at least SYNC_MIN_INTERVAL_S [60]' }),
    full_every_seconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 365 * DAY, description: 'a full run at least this often; default max(86400, every_seconds); not below every_seconds' }),
    ),
  },
  { additionalProperties: false },
);

/** What a sync's runs take from `options`; mode, since and dry_run are the schedule's business. */
export const SyncOptionsSchema = Type.Object(
  {
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    include_comments: Type.Optional(Type.Boolean({ default: true })),
    ...DepthOptions,
  },
  { additionalProperties: false },
);

function envelope<S extends TSchema, C extends TSchema>(sourceType: S, sourceConfig: C) {
  return Type.Object(
    {
      source_type: sourceType,
      source_config: sourceConfig,
      options: Type.Optional(SyncOptionsSchema),
      schedule: ScheduleSchema,
      tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'taken from the API key when keys are on' })),
      callback_url: Type.Optional(
        Type.String({ format: 'uri', maxLength: 2048, description: 'every run\'s job JSON is POSTed here, signed, on its terminal status (as for imports)' }),
      ),
    },
    { additionalProperties: false },
  );
}

export const SyncEnvelope = envelope(SourceTypeSchema, Type.Record(Type.String(), Type.Unknown()));
export type SyncBody = Static<typeof SyncEnvelope>;

export function documentedSyncBody(connectors: Record<SourceType, ConnectorModule>) {
  return Type.Unsafe<SyncBody>({
    oneOf: SOURCE_TYPES.map((st) => envelope(Type.Literal(st), connectors[st].configSchema)),
    discriminator: { propertyName: 'source_type' },
  });
}

export const SyncPatchBody = Type.Object(
  { status: Type.Optional(SyncStatusSchema), schedule: Type.Optional(ScheduleSchema) },
  { additionalProperties: false, minProperties: 1, description: 'pause, resume, and/or a new schedule (replaced as a whole)' },
);

const Timestamp = Nullable('string', { format: 'date-time' });

const syncProperties = {
  sync_id: Type.String({ format: 'uuid' }),
  status: SyncStatusSchema,
  source_type: SourceTypeSchema,
  source: Type.Object({ base_url: Type.String(), scope: Type.String() }, { additionalProperties: false }),
  schedule: Type.Object({ every_seconds: Type.Integer(), full_every_seconds: Type.Integer() }, { additionalProperties: false }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time', description: 'last change of status or schedule' }),
  last_job_id: Nullable('string', { format: 'uuid' }),
  last_run_at: { ...Timestamp, description: 'when the last run started (queued until it began)' },
  last_status: Nullable('string', {
    enum: [...JOB_STATUSES, null],
    description: 'the last run\'s status; failed also for a completed incremental run whose watermark did not advance',
  }),
  last_error: Nullable('string', { description: 'why the last run failed; null otherwise' }),
  next_run_at: { ...Timestamp, description: 'the next scheduled tick; null while paused' },
  consecutive_failures: Type.Integer({ description: 'failed runs in a row; reset by a completed run' }),
  webhook_url: Type.String({ format: 'uri', description: 'where vendor webhooks for this sync go (POST)' }),
  tenant_id: Nullable('string'),
};

/** additionalProperties false: whatever else the core holds (sealed columns) is never serialized. */
export const SyncSchema = Type.Object(syncProperties, { additionalProperties: false, title: 'Sync' });

export function syncResponse(description: string) {
  return Type.Object(syncProperties, { additionalProperties: false, description });
}

export const SyncCreatedSchema = Type.Object(
  {
    ...syncProperties,
    webhook_secret: Type.String({ description: 'the secret vendor webhooks are signed with; shown this once, never again' }),
  },
  { additionalProperties: false, description: 'the sync, created; its first run (full) is due now' },
);

export const SyncIdParams = Type.Object({ sync_id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const SyncListQuery = Type.Object(
  {
    status: Type.Optional(SyncStatusSchema),
    tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Limit(LIMITS.jobs.max, LIMITS.jobs.def),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const SyncListResponse = Type.Object(
  { syncs: Type.Array(SyncSchema), next_cursor: Nullable('string') },
  { additionalProperties: false, description: 'syncs newest first; next_cursor null on the last page' },
);
