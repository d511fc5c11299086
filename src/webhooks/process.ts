/**
 * One accepted delivery, in a worker: load the sync, open its credentials, read the named item
 * with its comments from the source (connector.fetchOne, a handful of requests), and store it as a
 * run would — through upsertBatch, so the content hash decides created / updated / unchanged and
 * the change feed gets a row only for a real change. The source confirming the item gone (404/410)
 * marks it deleted, with its 'deleted' change; a vendor's delete event alone never does.
 *
 * The item log needs a job id: each delivery has its own (`run_id`, a uuid with no job record),
 * so work_items.last_job_id names it, and the retention sweep drops its one log row after
 * REDIS_JOB_TTL like any expired job's. A retried delivery keeps its run_id: its log row is not
 * written twice, and a second upsert of the same content is `unchanged` (no change row).
 */
import type { Logger } from 'pino';
import type { ConnectorModule, SourceType } from '../connectors/connector.js';
import type { SourceHttpFactory } from '../outbound/types.js';
import type { ItemStore } from '../store/types.js';
import type { Policy } from '../policy.js';
import type { SyncStore } from '../syncs/store.js';
import type { SyncRow } from '../syncs/types.js';
import { openSyncCredentials } from '../syncs/seal.js';
import { normalizePage } from '../jobs/normalize-page.js';
import { effectiveFieldMap } from '../items/field-map.js';
import { redact, secretForms } from '../jobs/redact.js';
import { storedMatch } from './events.js';
import { AttachmentDownloads } from '../jobs/attachments.js';
import { scrubSourceUrls } from '../jobs/attachment-urls.js';
import type { BlobStore } from '../blobs/types.js';
import type { WebhookJobData } from './queue.js';

export interface ProcessDeps {
  syncs: Pick<SyncStore, 'get'>;
  connectors: Record<SourceType, ConnectorModule>;
  http: SourceHttpFactory;
  store: Pick<ItemStore, 'upsertBatch' | 'markItemDeleted'>;
  credentialsKey: Buffer;
  policy: Pick<Policy, 'sources'>;
  /** a sync with download_attachments keeps its items' content current (absent: none downloaded) */
  attachments?: { blobs: BlobStore; policy: Policy['attachments'] };
}

export type Processed =
  | { kind: 'skipped'; reason: string }
  | { kind: 'stored'; action: string; item_id: string | null; error: string | null }
  | { kind: 'deleted'; marked: number }
  | { kind: 'out-of-scope'; reason: string };

/** The deletion scope stored on the items (as a run of the sync writes it: jobs/deletions.ts itemScopeKey). */
function itemScopeOf(module: ConnectorModule, sync: SyncRow): string {
  const filter = module.describe(sync.config).read_filter;
  return filter ? `${sync.scope}\n${filter}` : sync.scope;
}

/** `forms`: filled with the sync's secrets in their loggable forms, for the caller to redact errors with. */
export async function processDelivery(deps: ProcessDeps, data: WebhookJobData, signal: AbortSignal, log: Logger, forms: string[]): Promise<Processed> {
  const sync = await deps.syncs.get(data.sync_id, null);
  if (!sync) return { kind: 'skipped', reason: 'the sync was deleted' };
  if (sync.status !== 'active') return { kind: 'skipped', reason: 'the sync is paused' };
  const module = deps.connectors[sync.source_type];
  const secrets = openSyncCredentials(deps.credentialsKey, sync);
  forms.push(...secretForms(sync.config, secrets));
  const http: SourceHttpFactory = (o) =>
    deps.http({ ...o, sourceType: sync.source_type, onRetry: (r) => log.warn({ ...r, reason: redact(r.reason, forms) }, 'source request will be retried') });
  const connector = module.create({ ...sync.config, ...secrets }, { http, logger: log, policy: deps.policy.sources });
  if (!connector.fetchOne) return { kind: 'skipped', reason: `the ${sync.source_type} connector cannot read one item` };
  const home = { tenantId: sync.tenant_id, sourceType: sync.source_type, sourceInstance: sync.source_instance };
  const read = await connector.fetchOne(data.ref, { signal, includeHistory: sync.options.include_history ?? true });
  if (read.kind === 'out-of-scope') return read;
  if (read.kind === 'gone') {
    const marked = await deps.store.markItemDeleted(home, storedMatch(sync, data.ref));
    return { kind: 'deleted', marked: marked.length };
  }
  const fieldMap = effectiveFieldMap(sync.options.field_map, module.defaultFieldMap);
  const { items, failures } = await normalizePage(connector, [read.record], 1, fieldMap);
  // As a run of the sync would: the item keeps its content (reused, or downloaded when new), not nulled by the update.
  if (sync.options.download_attachments && deps.attachments) {
    const step = new AttachmentDownloads({ ...deps.attachments, logger: log, secrets: forms }, home, connector, 0);
    await step.fetch(items, signal);
  }
  scrubSourceUrls(items, forms);
  const [outcome] = await deps.store.upsertBatch({ ...home, scope: itemScopeOf(module, sync), jobId: data.run_id, batchNo: 1 }, items, failures);
  return { kind: 'stored', action: outcome?.action ?? 'failed', item_id: outcome?.item_id ?? null, error: outcome?.error ?? null };
}
