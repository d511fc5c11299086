/**
 * The interface between the job runner (which knows no vendor) and a source connector
 * (which knows no Redis, BullMQ or Fastify). A connector turns a validated source_config
 * into pages of raw records plus a resume cursor, and normalizes one raw record into a
 * WorkItem body. It throws SourceError for failures of the source as a whole; a throw
 * from `normalize` fails only that item.
 */
import type { TObject } from 'typebox';
import type { Logger } from 'pino';
import type { SourceHttpFactory } from '../outbound/types.js';
import type { Policy } from '../policy.js';
import type { Attachment, CustomField, HistoryEntry, ItemCompleteness, MappedField, MappedFields } from './item-depth.js';

export const SOURCE_TYPES = ['jira', 'servicenow', 'github', 'gitlab'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export type StatusCategory = 'todo' | 'in_progress' | 'done';

export interface Person {
  external_id: string;
  name: string | null;
  email: string | null;
  /**
   * true only when the source vouches that this email belongs to the account (a verified or
   * primary address): people are linked across sources by such emails only (issue 12).
   */
  email_verified?: boolean;
  /** Set when read back from the store: the tenant's person this account belongs to (GET /api/people/{id}). */
  person_id?: string | null;
}

export interface ItemComment {
  external_id: string;
  author: Person | null;
  /** Markdown */
  body: string;
  created_at: string | null;
  internal: boolean;
}

/** What a connector produces for one record: CONTRACT §4 without id, tenant, source_type, source_instance. */
export interface NormalizedItem {
  external_id: string;
  key: string;
  project: string;
  title: string;
  /** Markdown, or null when the source has none */
  description: string | null;
  status: string | null;
  status_category: StatusCategory;
  priority: string | null;
  item_type: string | null;
  assignee: Person | null;
  reporter: Person | null;
  labels: string[];
  url: string | null;
  parent_external_id: string | null;
  /** ISO-8601 UTC with Z */
  created_at: string | null;
  updated_at: string | null;
  closed_at: string | null;
  comments: ItemComment[];
  /** Field changes, oldest first (absent: the connector reads none; stored as []). */
  history?: HistoryEntry[];
  attachments?: Attachment[];
  custom_fields?: CustomField[];
  /** Filled by the runner from custom_fields through options.field_map and the connector's defaults. */
  fields?: MappedFields;
  /** Whether comments, history and attachments are all there (absent: not reported, stored as null). */
  completeness?: ItemCompleteness;
  /** The source record as received (comments that are not user comments, e.g. GitLab system notes, stay here). */
  raw: unknown;
}

export interface SourcePage {
  /** Raw records of this page in a stable order, each carrying its comments in the connector's own shape. */
  records: unknown[];
  /** Opaque resume point after this page (JSON text is fine); null when this was the last page. */
  cursor: string | null;
  /** Best known total of items in scope, when the source tells (refined as paging goes); null if unknown. */
  total: number | null;
  /**
   * A promise that every record in scope updated before this instant (ISO-8601) is on this page or
   * an earlier one, so the incremental watermark may move there once this page is stored. A source
   * paging in creation order can give its last record's creation time (a record is updated no
   * earlier than it was created); one paging in another order (Jira by id) leaves it out.
   */
  settledBefore?: string | null;
}

export interface PageOptions {
  /** A cursor from an earlier SourcePage of the same scope: resume right after that page. null = start. */
  cursor: string | null;
  /** Incremental lower bound on the source's updated time (overlap already applied), or null for all. */
  since: Date | null;
  /** At most this many records per page (1..1000). */
  batchSize: number;
  includeComments: boolean;
  /**
   * Read each item's history (the runner passes options.include_history, default true). Absent
   * reads none, so a caller that never asked pays no history requests.
   */
  includeHistory?: boolean;
  /** Aborted on cancel or shutdown: stop sending requests and reject with the abort reason. */
  signal: AbortSignal;
  /**
   * What the store already holds for this source (absent in a dry run): lets a connector ask the
   * source only for what changed, e.g. comments updated since `since`, merged into the stored ones.
   */
  stored?: StoredItems;
}

/** Reads of the items already stored for this job's tenant and source instance (one query a call). */
export interface StoredItems {
  /** The stored comments of these items by external_id; items not stored are absent. */
  comments(externalIds: string[]): Promise<Map<string, ItemComment[]>>;
  /** external_ids of the stored items of `project` with these keys, by key; keys not stored are absent. */
  idsByKey(project: string, keys: string[]): Promise<Map<string, string>>;
}

/**
 * One item read by the reference a vendor webhook names (CONTRACT §12): `found` with a raw record
 * for `normalize`, `gone` when the source says it no longer exists here (deleted, or moved out of
 * the scope's container), `out-of-scope` when it exists but the sync's scope or read filter leaves
 * it out (another JQL, a closed issue in an open-only sync, a pull request).
 */
export type FetchOneResult =
  | { kind: 'found'; record: unknown }
  | { kind: 'gone' }
  | { kind: 'out-of-scope'; reason: string };

export interface Connector {
  /**
   * Checks credentials and access and counts the items in scope (null if the source cannot tell).
   * `includeComments` (set for dry runs) asks to check access to the comments as well, where that
   * takes a request of its own.
   */
  count(opts: { since: Date | null; signal: AbortSignal; includeComments?: boolean }): Promise<number | null>;
  pages(opts: PageOptions): AsyncIterable<SourcePage>;
  /** Pure. Throws when the record cannot be normalized: that item is recorded as failed. */
  normalize(raw: unknown): NormalizedItem;
  /**
   * Best-effort identity of a raw record, used to report an item that failed to normalize; an empty
   * external_id (or a throw) when the record carries none, and the runner names it by its position.
   */
  identify(raw: unknown): { external_id: string; key: string | null };
  /**
   * Reads one item with all its comments from the source's single-item endpoints: GitHub/GitLab
   * issue number (iid), Jira issue id or key, ServiceNow sys_id. A handful of requests, never a
   * scope read. Throws SourceError when the source as a whole fails (auth, outage), and for a
   * reference of the wrong form.
   */
  fetchOne?(ref: string, opts: { signal: AbortSignal; includeHistory?: boolean }): Promise<FetchOneResult>;
  /**
   * The content of one attachment this connector listed (options.download_attachments), read from
   * its `source_url` through the guarded HTTP layer with the source's own auth (never sent to
   * another origin), as bytes (`SourceHttp.get(url, { responseType: 'bytes', maxBytes })`). Throws
   * SourceError; the runner then marks that attachment missing and goes on.
   */
  attachmentContent?(att: Attachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<{ bytes: Buffer; media_type: string | null }>;
}

export interface ConnectorContext {
  http: SourceHttpFactory;
  logger: Logger;
  /** Per-source tuning: concurrency, windows, vendor-specific waits. */
  policy: Policy['sources'];
}

/** Where a job points: shown in the job record (`source`) and used for the one-job-per-scope rule. */
export interface SourceDescription {
  base_url: string;
  /** CONTRACT §6 job scope */
  scope: string;
  /** CONTRACT §4 `project` of the items */
  project: string;
  /**
   * Settings outside the scope that narrow what a read returns (GitHub `state=open`), as stable
   * text; absent when a read returns the whole scope. Part of the items' deletion scope, so a full
   * run with a narrower filter never marks the items only a wider read returns as deleted.
   */
  read_filter?: string;
}

export interface ConnectorModule<C extends Record<string, unknown> = Record<string, unknown>> {
  sourceType: SourceType;
  /** TypeBox object schema of source_config, additionalProperties false; also feeds OpenAPI. */
  configSchema: TObject;
  /** source_config fields that are credentials: encrypted at rest, never in the record or job.data. */
  secretFields: readonly string[];
  /** Cross-field rules a JSON schema cannot say well (e.g. "email + api_token or personal_access_token"); [] when valid. */
  validate?(config: C): { path: string; message: string }[];
  describe(config: C): SourceDescription;
  /**
   * options.field_map entries used when the job's own map leaves a field out: the source's standard
   * field for it (Jira `duedate`, GitLab `weight`), as a custom field id the connector emits.
   */
  defaultFieldMap?: Partial<Record<MappedField, string | readonly string[]>>;
  create(config: C, ctx: ConnectorContext): Connector;
}
