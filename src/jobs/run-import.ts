/**
 * run-import: drives one connector (it knows no vendor) page by page into the store, with one
 * progress save per batch carrying the checkpoint. Resumes from the checkpoint when re-delivered
 * after a crash; stops at the next batch boundary when the record says cancelled.
 */
import type { Logger } from 'pino';
import { SourceError, SourceWaitError, StoreError, toJobError, type JobErrorCode } from '../errors.js';
import type { Connector, ConnectorModule, NormalizedItem, SourcePage, SourceType } from '../connectors/connector.js';
import { backoffDelay, type Policy } from '../policy.js';
import type { SourceHttpFactory } from '../outbound/types.js';
import { decryptSecrets } from './credentials.js';
import { redact, secretForms } from './redact.js';
import type { JobRecords } from './record.js';
import type { ImportJobData } from './queue.js';
import type { ItemAction, ItemOutcome, ItemScope } from '../items/types.js';
import type { ImportedItemRef, JobProgress, JobRecord } from './types.js';
import { advance, completed, type BatchCounts } from './progress.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { normalizePage } from './normalize-page.js';
import { effectiveFieldMap } from '../items/field-map.js';
import { upsertWithRetry, withStoreRetry, type RunStore } from './run-store.js';
import { itemScopeKey, markDeletions } from './deletions.js';
import { storedItemsOf } from './stored-items.js';
import { RunNote, rateLimitNote, retryNote, storeOutageNote } from './run-note.js';
import { AttachmentDownloads } from './attachments.js';
import { scrubSourceUrls } from './attachment-urls.js';
import type { BlobStore } from '../blobs/types.js';

export interface RunDeps {
  records: JobRecords;
  store: RunStore;
  connectors: Record<SourceType, ConnectorModule>;
  http: SourceHttpFactory;
  credentialsKey: Buffer;
  logger: Logger;
  policy: Pick<Policy, 'jobs' | 'sources' | 'worker' | 'attachments'>;
  /** where options.download_attachments puts attachment content */
  blobs: BlobStore;
}

/**
 * 'done': the record reached a terminal status (or was gone); 'interrupted': stopped mid-run to be
 * resumed from the checkpoint, elsewhere after a shutdown or at `resumeAt` because of `cause`: the
 * source asked to wait, the item store is unreachable, or the run threw where nothing else caught it
 * (such a run counts as lost, so a job that keeps doing so ends as a poison job).
 */
export type RunOutcome =
  | { kind: 'done'; job: JobRecord | null }
  | { kind: 'interrupted'; resumeAt?: number; cause?: 'source-wait' | 'store-outage' | 'error' };

export async function runImport(deps: RunDeps, data: ImportJobData, owner: string, signal: AbortSignal): Promise<RunOutcome> {
  const log = deps.logger.child({ job_id: data.job_id, tenant_id: data.tenant_id, source_type: data.source_type });
  try {
    return await runOnce(deps, data, owner, signal, log);
  } catch (err) {
    // Redis failing under the run (taking the job, recording its end): the record must not stay
    // processing with nothing in the queue, so the job goes back to it and resumes from its checkpoint.
    const resumeAt = Date.now() + backoffDelay(1, deps.policy.jobs.errorRetry);
    log.error({ error: err instanceof Error ? err.message : String(err), resume_at: new Date(resumeAt).toISOString() }, 'import run failed unexpectedly: job handed back');
    return { kind: 'interrupted', resumeAt, cause: 'error' };
  }
}

async function runOnce(deps: RunDeps, data: ImportJobData, owner: string, signal: AbortSignal, log: Logger): Promise<RunOutcome> {
  const taken = await deps.records.take(data.job_id, owner);
  if (!taken.ok) return { kind: 'done', job: null };
  if (taken.lostRuns >= deps.policy.worker.maxLostRuns) return failPoisonJob(deps, data, owner, log);
  let secrets: string[] = [];
  const note = new RunNote(deps.records, data.job_id, owner, deps.policy.jobs.noteIntervalMs, log);
  try {
    const opened = await openConnector(deps, data, note, log);
    secrets = opened.secrets;
    const connector = opened.connector;
    const saved = parseCheckpoint(await deps.records.checkpoint(data.job_id));
    const checkpoint = saved ?? (await firstCheckpoint(deps, data));
    log.info({ mode: data.options.mode, dry_run: data.options.dry_run, resumed: saved !== null, since: checkpoint.since }, 'import started');
    if (data.options.dry_run) return await finishDryRun(deps, data, owner, connector, checkpoint, signal);
    return await importPages(deps, data, owner, connector, checkpoint, taken.job.progress, signal, note, log, secrets);
  } catch (err) {
    if (signal.aborted) return abortedOutcome(deps, data, signal);
    if (err instanceof SourceWaitError && (data.rate_limit_handoffs ?? 0) < deps.policy.jobs.maxRateLimitHandoffs) {
      log.info({ resume_at: new Date(err.resumeAt).toISOString() }, 'source asks to wait: job handed back until then');
      await note.final(rateLimitNote(err.source, err.resumeAt));
      return { kind: 'interrupted', resumeAt: err.resumeAt, cause: 'source-wait' };
    }
    if (err instanceof StoreError && err.failure === 'outage') return storeOutage(deps, data, owner, redact(err.message, secrets), note, log);
    const { code, message: raw } = toJobError(err);
    const message = redact(raw, secrets);
    if (code === 'INTERNAL_ERROR') log.error({ error: redact(err instanceof Error ? (err.stack ?? err.message) : String(err), secrets) }, 'import failed unexpectedly');
    return failJob(deps, data, owner, code, message, log);
  } finally {
    note.stop();
  }
}

/**
 * The item store is unreachable (after the in-process retries): the job keeps its checkpoint, stays
 * processing and waits in the queue, with growing pauses, until the store answers; an outage of
 * storeOutageMaxMs (counted across hand-backs and workers) fails it.
 */
async function storeOutage(deps: RunDeps, data: ImportJobData, owner: string, reason: string, note: RunNote, log: Logger): Promise<RunOutcome> {
  const { storeOutageMaxMs, storeOutageBackoff } = deps.policy.jobs;
  const now = Date.now();
  const outage = await deps.records.storeOutage(data.job_id, now);
  const downMs = now - outage.since;
  if (downMs >= storeOutageMaxMs) {
    return failJob(deps, data, owner, 'STORE_UNAVAILABLE', `the item store has been unreachable for ${Math.round(downMs / 1000)} s: ${reason}`, log);
  }
  // The last try falls at the deadline, so an outage just over it fails then, not a backoff later.
  const resumeAt = Math.min(now + backoffDelay(outage.handBacks, storeOutageBackoff), outage.since + storeOutageMaxMs);
  log.warn({ error: reason, down_ms: downMs, hand_backs: outage.handBacks, resume_at: new Date(resumeAt).toISOString() }, 'item store unreachable: job handed back until then');
  await note.final(storeOutageNote(reason, resumeAt));
  return { kind: 'interrupted', resumeAt, cause: 'store-outage' };
}

/** Whatever kills or blocks its worker would do so again: the job fails instead of going round the workers. */
function failPoisonJob(deps: RunDeps, data: ImportJobData, owner: string, log: Logger): Promise<RunOutcome> {
  const lost = deps.policy.worker.maxLostRuns;
  const message = `worker lost ${lost} times`;
  log.error({ lost_runs: lost }, `${message}: the job fails`);
  return failJob(deps, data, owner, 'INTERNAL_ERROR', message, log);
}

async function failJob(deps: RunDeps, data: ImportJobData, owner: string, code: JobErrorCode, message: string, log: Logger): Promise<RunOutcome> {
  const failed = await deps.records.transition(data.job_id, 'failed', { error_code: code, error_message: message }, owner);
  if (failed.ok) log.warn({ error_code: code, error: message, ...countsOf(failed.job), duration_ms: durationOf(failed.job) }, 'import failed');
  return { kind: 'done', job: failed.ok ? failed.job : null };
}

async function openConnector(deps: RunDeps, data: ImportJobData, note: RunNote, log: Logger): Promise<{ connector: Connector; secrets: string[] }> {
  const module = deps.connectors[data.source_type];
  const sealed = await deps.records.credentials(data.job_id);
  const destination = { jobId: data.job_id, tenantId: data.tenant_id, sourceType: data.source_type, baseUrl: module.describe(data.config).base_url };
  const secrets = sealed ? decryptSecrets(deps.credentialsKey, destination, sealed) : {};
  const forms = secretForms(data.config, secrets);
  // Every retry and wait of this job's source requests is a line in its log and the job's progress note.
  const http: SourceHttpFactory = (o) =>
    deps.http({
      ...o,
      onRetry: (r) => {
        const summary = redact(r.summary, forms);
        log.warn({ ...r, reason: redact(r.reason, forms), summary }, 'source request will be retried');
        // In force until the next try: a batch stored after it (the try went through) clears it.
        note.show(retryNote(r, summary), Date.now() + (r.wait_ms ?? 0));
      },
      // A short pacing pause is not worth a word; one a person could notice is.
      onWait: ({ source, until }) => {
        if (until - Date.now() >= deps.policy.jobs.noteIntervalMs) note.show(rateLimitNote(source, until), until);
      },
    });
  const connector = module.create({ ...data.config, ...secrets }, { http, logger: log, policy: deps.policy.sources });
  return { connector, secrets: forms };
}

async function firstCheckpoint(deps: RunDeps, data: ImportJobData): Promise<Checkpoint> {
  let since: Date | null = data.options.since ? new Date(data.options.since) : null;
  if (!since && data.options.mode === 'incremental') {
    const mark = await deps.store.getWatermark(scopeOf(data));
    since = mark ? new Date(mark.getTime() - deps.policy.jobs.incrementalOverlapMs) : null;
  }
  return { cursor: null, maxUpdatedAt: null, since: since?.toISOString() ?? null };
}

function scopeOf(data: ImportJobData): ItemScope {
  return { tenantId: data.tenant_id, sourceType: data.source_type, sourceInstance: data.source_instance, scope: data.scope };
}

async function finishDryRun(
  deps: RunDeps, data: ImportJobData, owner: string, connector: Connector, cp: Checkpoint, signal: AbortSignal,
): Promise<RunOutcome> {
  const total = await connector.count({ since: cp.since ? new Date(cp.since) : null, signal, includeComments: data.options.include_comments });
  const progress = { total_items: total ?? 0, percentage: 100.0, estimated_time_remaining: 0 };
  const done = await deps.records.transition(data.job_id, 'completed', { progress } as Partial<JobRecord>, owner);
  return { kind: 'done', job: done.ok ? done.job : null };
}

async function importPages(
  deps: RunDeps, data: ImportJobData, owner: string, connector: Connector,
  cp: Checkpoint, resumed: JobProgress, signal: AbortSignal, note: RunNote, log: Logger, secrets: string[],
): Promise<RunOutcome> {
  const since = cp.since ? new Date(cp.since) : null;
  let progress = resumed;
  let maxUpdatedAt = cp.maxUpdatedAt;
  const started = Date.now();
  let importedThisRun = 0;
  let storeAnswered = false;
  const scope = scopeOf(data);
  const attachments = data.options.download_attachments
    ? new AttachmentDownloads({ blobs: deps.blobs, policy: deps.policy.attachments, logger: log, secrets }, scope, connector, cp.attachmentBytes ?? 0)
    : null;
  const fieldMap = effectiveFieldMap(data.options.field_map, deps.connectors[data.source_type].defaultFieldMap);
  // A resumed run whose last page was stored only finishes.
  let total = cp.done ? null : await connector.count({ since, signal }).catch((err: unknown) => {
    if (err instanceof SourceError) throw err;
    return null;
  });
  const declared = total;
  const itemScope = itemScopeKey(deps.connectors[data.source_type], data);
  const stored = storedItemsOf(deps.store, scopeOf(data), deps.policy.jobs, signal);
  const pages: AsyncIterable<SourcePage> | SourcePage[] = cp.done ? [] : connector.pages({
    cursor: cp.cursor, since, batchSize: data.options.batch_size, includeComments: data.options.include_comments,
    includeHistory: data.options.include_history ?? true, signal, stored,
  });
  for await (const page of pages) {
    const batchNo = progress.current_batch + 1;
    const normalized = await normalizePage(connector, page.records, batchNo, fieldMap);
    if (attachments) await attachments.fetch(normalized.items, signal);
    scrubSourceUrls(normalized.items, secrets);
    // a cancel that already arrived (pub/sub aborts the signal) stops before the write, not after
    if (signal.aborted) return abortedOutcome(deps, data, signal);
    const outcomes = await upsertWithRetry(deps.store, deps.policy.jobs, batchContext(data, batchNo, itemScope), normalized, signal);
    if (!storeAnswered) await deps.records.storeAnswered(data.job_id);
    storeAnswered = true;
    for (const o of outcomes) if (o.countable && o.action === 'failed') log.warn({ external_id: o.external_id, key: o.key, error: o.error }, 'item failed');
    const counts = tally(outcomes);
    importedThisRun += counts.successful + counts.failed + counts.skipped;
    total = page.total ?? total;
    const rate = { items: importedThisRun, seconds: (Date.now() - started) / 1000 };
    progress = advance(progress, counts, total, data.options.batch_size, rate, page.cursor !== null);
    maxUpdatedAt = newest(maxUpdatedAt, normalized.items);
    const saved = await deps.records.saveProgress(data.job_id, owner, {
      note: note.forSave(),
      progress,
      checkpoint: JSON.stringify({ cursor: page.cursor, maxUpdatedAt, since: cp.since, done: page.cursor === null, attachmentBytes: attachments?.downloadedBytes } satisfies Checkpoint),
      items: outcomes.filter((o) => o.countable).map(refOf),
      counters: { created: count(outcomes, 'created'), updated: count(outcomes, 'updated'), unchanged: count(outcomes, 'unchanged'), failed: count(outcomes, 'failed') },
    });
    if (!saved.ok) return { kind: 'done', job: null };
    // Stored and checkpointed: the watermark may move as far as the source promises nothing older is left.
    if (page.settledBefore) await withStoreRetry(deps.policy.jobs, signal, () => deps.store.setWatermark(scope, new Date(page.settledBefore!)));
    if (signal.aborted) return abortedOutcome(deps, data, signal);
  }
  // Before the end, so a store down at this point hands the job back instead of losing the watermark.
  if (maxUpdatedAt) await withStoreRetry(deps.policy.jobs, signal, () => deps.store.setWatermark(scope, new Date(maxUpdatedAt!)));
  const done = await deps.records.transition(data.job_id, 'completed', { progress: completed(progress) }, owner);
  if (done.ok) {
    const deletions = await markDeletions(deps.store, deps.connectors[data.source_type], connector, data, done.job, { declared, since: cp.since }, signal, log);
    const marked = 'deleted' in deletions ? { items_deleted: deletions.deleted } : { items_deleted: 0, deletions_skipped: deletions.skipped };
    log.info({ ...countsOf(done.job), ...marked, duration_ms: durationOf(done.job) }, 'import completed');
  }
  return { kind: 'done', job: done.ok ? done.job : null };
}

function countsOf(job: JobRecord) {
  const p = job.progress;
  return { processed: p.processed_items, successful: p.successful_items, failed: p.failed_items, skipped: p.skipped_items, partial: p.partial_items ?? 0, batches: p.current_batch };
}

const durationOf = (job: JobRecord) => (job.started_at && job.completed_at ? Date.parse(job.completed_at) - Date.parse(job.started_at) : null);

function batchContext(data: ImportJobData, batchNo: number, scope: string) {
  return { tenantId: data.tenant_id, sourceType: data.source_type, sourceInstance: data.source_instance, scope, jobId: data.job_id, batchNo };
}

function tally(outcomes: ItemOutcome[]): BatchCounts {
  const counts = { successful: 0, failed: 0, skipped: 0, partial: 0 };
  for (const o of outcomes) {
    if (!o.countable) continue;
    if (o.action === 'failed') counts.failed++;
    else if (o.action === 'unchanged') counts.skipped++;
    else counts.successful++;
    if (o.partial) counts.partial++;
  }
  return counts;
}

const count = (outcomes: ItemOutcome[], action: ItemAction) => outcomes.filter((o) => o.countable && o.action === action).length;
const refOf = (o: ItemOutcome): ImportedItemRef => ({ external_id: o.external_id, key: o.key, item_id: o.item_id, action: o.action });

function newest(current: string | null, items: NormalizedItem[]): string | null {
  let best = current ? Date.parse(current) : -Infinity;
  for (const item of items) {
    const t = item.updated_at ? Date.parse(item.updated_at) : NaN;
    if (t > best) best = t;
  }
  return Number.isFinite(best) ? new Date(best).toISOString() : null;
}

async function abortedOutcome(deps: RunDeps, data: ImportJobData, signal: AbortSignal): Promise<RunOutcome> {
  // Shutdown, or another run took the scope lease: back to the queue, to resume from the checkpoint.
  if (signal.reason === 'shutdown' || signal.reason === 'lease lost') return { kind: 'interrupted' };
  return { kind: 'done', job: await deps.records.get(data.job_id) };
}
