/** CONTRACT §4 work item as response schema; the /api/items, /api/items/changes and /api/imports/{id}/items queries. */
import { Type, type Static } from 'typebox';
import { Cursor, LIMITS, Limit, Nullable, NullableOf, StringEnum } from './common.js';
import { ItemActionSchema, SourceTypeSchema } from './job.js';

const Person = Type.Object(
  {
    external_id: Type.String({ description: 'the source account' }),
    name: Nullable('string'),
    email: Nullable('string'),
    email_verified: Type.Optional(Type.Boolean({ description: 'the source vouches for the email; people are linked by such emails only' })),
    person_id: Type.Optional(Nullable('string', { format: 'uuid', description: 'the tenant\'s person this account belongs to (GET /api/people/{id})' })),
  },
  { additionalProperties: true },
);

const Comment = Type.Object(
  {
    external_id: Type.String(),
    author: NullableOf(Person),
    body: Type.String({ description: 'Markdown' }),
    created_at: Nullable('string', { format: 'date-time' }),
    internal: Type.Boolean(),
  },
  { additionalProperties: true },
);

const HistoryEntrySchema = Type.Object(
  {
    at: Nullable('string', { format: 'date-time' }),
    actor: NullableOf(Person),
    field: Type.String(),
    from: Nullable('string'),
    to: Nullable('string'),
  },
  { additionalProperties: true },
);

const AttachmentSchema = Type.Object(
  {
    external_id: Type.String(),
    name: Type.String(),
    size: Nullable('integer'),
    media_type: Nullable('string'),
    author: NullableOf(Person),
    created_at: Nullable('string', { format: 'date-time' }),
    source_url: Nullable('string', { description: 'never carries a credential' }),
    content: NullableOf(
      Type.Object(
        { blob_key: Type.String(), size: Type.Integer(), sha256: Type.String() },
        { additionalProperties: false, description: 'the downloaded content (options.download_attachments), checked by size and hash' },
      ),
    ),
  },
  { additionalProperties: true },
);

const CustomFieldSchema = Type.Object(
  { id: Type.String(), name: Type.String(), type: Type.String(), value: Type.Unknown() },
  { additionalProperties: false },
);

const MappedFieldsSchema = Type.Object(
  {
    story_points: Nullable('number'),
    due_date: Nullable('string', { format: 'date' }),
    sprint: Nullable('string'),
    severity: Nullable('string'),
  },
  { additionalProperties: false, description: 'filled from custom_fields by options.field_map and the source\'s standard fields' },
);

const Part = Type.Object(
  {
    state: StringEnum(['complete', 'partial', 'skipped'] as const),
    reason: Nullable('string'),
    fetched: Type.Integer(),
    total: Nullable('integer', { description: 'the source\'s own total, when it gives one' }),
  },
  { additionalProperties: false },
);

const CompletenessSchema = Type.Object(
  { comments: Part, history: Part, attachments: Part },
  { additionalProperties: false, description: 'null when the connector did not report it' },
);

export const WorkItemSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenant_id: Nullable('string'),
    source_type: SourceTypeSchema,
    source_instance: Type.String({ description: 'host of base_url, with :port when not the default' }),
    project: Type.String(),
    external_id: Type.String(),
    key: Type.String(),
    title: Type.String(),
    description: Nullable('string', { description: 'Markdown' }),
    status: Nullable('string'),
    status_category: StringEnum(['todo', 'in_progress', 'done'] as const),
    priority: Nullable('string'),
    item_type: Nullable('string'),
    assignee: NullableOf(Person),
    reporter: NullableOf(Person),
    labels: Type.Array(Type.String()),
    url: Nullable('string'),
    parent_external_id: Nullable('string'),
    created_at: Nullable('string', { format: 'date-time' }),
    updated_at: Nullable('string', { format: 'date-time' }),
    closed_at: Nullable('string', { format: 'date-time' }),
    comments: Type.Array(Comment),
    history: Type.Array(HistoryEntrySchema, { description: 'field changes, oldest first' }),
    attachments: Type.Array(AttachmentSchema),
    custom_fields: Type.Array(CustomFieldSchema, { description: 'source fields outside the normalized ones, typed, with display names' }),
    fields: NullableOf(MappedFieldsSchema),
    completeness: NullableOf(CompletenessSchema),
    raw: Type.Unknown({ description: 'the source record as received' }),
    deleted_at: Nullable('string', {
      format: 'date-time',
      description: 'when a complete full import of its scope no longer found it; null while present',
    }),
  },
  { additionalProperties: true, title: 'WorkItem' },
);

export const ItemListQuery = Type.Object(
  {
    source_type: Type.Optional(SourceTypeSchema),
    project: Type.Optional(Type.String({ minLength: 1, maxLength: 512, format: 'text' })),
    updated_since: Type.Optional(Type.String({ format: 'timestamp', description: 'RFC 3339 date-time, years 0001-9999' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, format: 'text', description: 'substring of title, key or description' })),
    include_deleted: Type.Optional(Type.Boolean({ description: 'true: deleted items are listed too (default false)' })),
    tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, format: 'text' })),
    limit: Limit(LIMITS.items.max, LIMITS.items.def),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type ItemListQuery = Static<typeof ItemListQuery>;

export const ItemListResponse = Type.Object(
  { items: Type.Array(WorkItemSchema), next_cursor: Nullable('string') },
  { additionalProperties: false, description: 'work items; next_cursor null on the last page' },
);

export const JobItemsQuery = Type.Object(
  {
    action: Type.Optional(ItemActionSchema),
    completeness: Type.Optional(StringEnum(['partial'] as const, { description: 'partial: only items whose comments, history or attachments are not all there' })),
    limit: Limit(LIMITS.items.max, LIMITS.items.def), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

const JobItem = Type.Object(
  {
    external_id: Type.String(),
    key: Nullable('string'),
    item_id: Nullable('string'),
    action: ItemActionSchema,
    error: Nullable('string', { description: 'why the item failed' }),
  },
  { additionalProperties: false },
);

export const JobItemsResponse = Type.Object(
  { items: Type.Array(JobItem), next_cursor: Nullable('string') },
  { additionalProperties: false, description: 'what happened to each item the job touched' },
);

export const ItemChangesQuery = Type.Object(
  {
    cursor: Type.Optional(
      Type.String({
        minLength: 1, maxLength: 512,
        description: 'next_cursor of the previous page; "latest" starts from now; absent starts from the beginning',
      }),
    ),
    limit: Limit(LIMITS.items.max, LIMITS.items.def),
    tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type ItemChangesQuery = Static<typeof ItemChangesQuery>;

const ItemChange = Type.Object(
  {
    seq: Type.Integer({ description: 'strictly increasing along the feed (not contiguous)' }),
    change: StringEnum(['created', 'updated', 'deleted'] as const, { description: 'a restored item is "updated"' }),
    item_id: Type.String({ format: 'uuid' }),
    source_type: SourceTypeSchema,
    project: Type.String(),
    external_id: Type.String(),
    at: Type.String({ format: 'date-time', description: 'when the change was written' }),
  },
  { additionalProperties: false },
);

export const ItemChangesResponse = Type.Object(
  { changes: Type.Array(ItemChange), next_cursor: Type.String({ description: 'always set: poll with it, also after an empty page' }) },
  { additionalProperties: false, description: 'item changes in commit order' },
);
