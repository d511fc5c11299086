/**
 * The attachment step of an import (options.download_attachments, issue 12): between normalize and
 * upsert, each listed attachment without content is downloaded through the connector (the guarded
 * HTTP layer, the source's own auth), checked against its declared size, hashed, and stored in the
 * blob store under a deterministic key; `content` then names it. A blob already stored under that
 * key (a resumed or repeated job) is reused without a request.
 *
 * Caps (policy.attachments): per file, per item (stored attachments reused included) and per job
 * (bytes downloaded, carried across resumes in the checkpoint). An attachment that does not fit,
 * fails to download or does not match its declared size stays without content, and its item's
 * completeness.attachments turns partial with the reason. What stops the job instead: a cancel,
 * the source asking for a long wait (the job is handed back and resumes), a 401 (the credentials
 * stopped working: every further read would fail alike), and a blob store that cannot write.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Connector, NormalizedItem } from '../connectors/connector.js';
import type { Attachment, ItemCompleteness } from '../connectors/item-depth.js';
import { part, skipped } from '../connectors/item-depth.js';
import { SourceError, SourceWaitError, StoreError } from '../errors.js';
import type { Policy } from '../policy.js';
import { attachmentBlobKey } from '../blobs/keys.js';
import { BlobStoreError, type BlobInfo, type BlobStore } from '../blobs/types.js';
import { redact } from './redact.js';

export interface AttachmentHome {
  tenantId: string | null;
  sourceType: string;
  sourceInstance: string;
}

export interface AttachmentStepDeps {
  blobs: BlobStore;
  policy: Policy['attachments'];
  logger: Logger;
  /** the job's credential forms, cut out of every reason and log line */
  secrets: readonly string[];
}

/** Named reasons, at most this many per item; the rest are counted. */
const NAMED_REASONS = 3;
const MAX_REASON_CHARS = 600;

type Outcome = { stored: true } | { stored: false; reason: string };

/** One attachment to fill, with what phase 1 found in the blob store. */
interface Task {
  item: NormalizedItem;
  att: Attachment;
  key: string;
  declared: number | null;
  budget: ItemBudget;
  outcome: Outcome | null;
}

/** Bytes of one item's attachments: stored, reused, or planned to be downloaded. */
interface ItemBudget {
  used: number;
}

/**
 * Per page: (1) look up every attachment's blob, (2) decide in page order, synchronously, what is
 * reused, what is over a cap and what is downloaded — a declared size counts against the caps
 * when planned, so these decisions do not depend on download timing — (3) download under the
 * concurrency limit. An undeclared size is bounded when its download starts (by the room left)
 * and counted when it ends.
 */
export class AttachmentDownloads {
  private jobBytes: number;
  /** jobBytes plus what the current page plans to download */
  private jobPlanned = 0;
  private readonly limit: ReturnType<typeof pLimit>;
  /** The first error that stops the job: later downloads of the page do not start. */
  private fatal: unknown = null;
  /** this page's counts, for its log line */
  private page = { downloaded: 0, reused: 0 };

  /** `jobBytes`: what earlier runs of this job downloaded (from its checkpoint). */
  constructor(
    private readonly deps: AttachmentStepDeps,
    private readonly home: AttachmentHome,
    private readonly connector: Connector,
    jobBytes: number,
  ) {
    this.jobBytes = jobBytes;
    this.limit = pLimit(deps.policy.concurrency);
  }

  /** Bytes this job downloaded so far (its runs before this one included): goes into the checkpoint. */
  get downloadedBytes(): number {
    return this.jobBytes;
  }

  /** Fills `content` of the page's attachments in place; rejects only with what stops the job. */
  async fetch(items: NormalizedItem[], signal: AbortSignal): Promise<void> {
    const tasks = this.tasksOf(items);
    if (tasks.length === 0) return;
    const found = await this.settle(tasks.map((t) => () => (t.declared !== null && t.declared > this.deps.policy.maxFileBytes ? Promise.resolve(null) : blobCall(() => this.deps.blobs.head(t.key)))), signal);
    this.jobPlanned = this.jobBytes;
    this.page = { downloaded: 0, reused: 0 };
    const downloads = tasks.filter((t, i) => this.plan(t, found[i]!));
    await this.settle(downloads.map((t) => () => this.download(t, signal)), signal);
    this.record(tasks);
  }

  /** Each attachment left without content: a log line, and its item's completeness says why. */
  private record(tasks: Task[]): void {
    const tried = new Map<NormalizedItem, number>();
    const missing = new Map<NormalizedItem, string[]>();
    for (const t of tasks) {
      tried.set(t.item, (tried.get(t.item) ?? 0) + 1);
      if (!t.outcome || t.outcome.stored) continue;
      const reason = t.outcome.reason;
      this.deps.logger.warn({ external_id: t.item.external_id, attachment_id: t.att.external_id, reason }, 'attachment content not stored');
      missing.set(t.item, [...(missing.get(t.item) ?? []), `${t.att.name}: ${reason}`]);
    }
    for (const [item, reasons] of missing) item.completeness = withMissingContent(item.completeness, item.attachments!.length, tried.get(item)!, reasons);
    const notStored = [...missing.values()].reduce((n, r) => n + r.length, 0);
    this.deps.logger.debug({ ...this.page, not_stored: notStored, job_bytes: this.jobBytes }, 'attachment content of the page');
  }

  private tasksOf(items: NormalizedItem[]): Task[] {
    return items.flatMap((item) => {
      const all = item.attachments ?? [];
      const budget: ItemBudget = { used: all.reduce((n, a) => n + (a.content?.size ?? 0), 0) };
      return all.filter((a) => !a.content).map((att) => ({
        item, att, budget, outcome: null,
        key: attachmentBlobKey({ ...this.home, itemExternalId: item.external_id, attachmentExternalId: att.external_id }),
        declared: typeof att.size === 'number' && Number.isSafeInteger(att.size) && att.size >= 0 ? att.size : null,
      }));
    });
  }

  /** Runs the calls under the job's limit; the first error that stops the job stops the ones not started. */
  private async settle<T>(calls: (() => Promise<T>)[], signal: AbortSignal): Promise<T[]> {
    const settled = await Promise.allSettled(calls.map((call) => this.limit(async () => {
      if (this.fatal) throw this.fatal;
      if (signal.aborted) throw signal.reason;
      try {
        return await call();
      } catch (err) {
        this.fatal ??= err;
        throw err;
      }
    })));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw this.fatal ?? failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }

  /** Phase 2: true when the task is to be downloaded; else its outcome is set. */
  private plan(t: Task, existing: BlobInfo | null): boolean {
    const caps = this.deps.policy;
    const { declared, budget } = t;
    if (declared !== null && declared > caps.maxFileBytes) return this.settled(t, missing(fileCap(caps)));
    if (existing && (declared === null || existing.size === declared)) {
      if (existing.size > caps.maxFileBytes) return this.settled(t, missing(fileCap(caps)));
      if (budget.used + existing.size > caps.maxItemBytes) return this.settled(t, missing(itemCap(caps)));
      budget.used += existing.size;
      this.page.reused++;
      fill(t.att, t.key, existing.size, existing.sha256, existing.media_type);
      return this.settled(t, { stored: true });
    }
    if (!this.connector.attachmentContent) return this.settled(t, missing('this source\'s connector cannot download content'));
    if (!t.att.source_url) return this.settled(t, missing('the source gives no address to download it from'));
    if (declared === null) return true;
    if (budget.used + declared > caps.maxItemBytes) return this.settled(t, missing(itemCap(caps)));
    if (this.jobPlanned + declared > caps.maxJobBytes) return this.settled(t, missing(jobCap(caps)));
    budget.used += declared;
    this.jobPlanned += declared;
    return true;
  }

  private settled(t: Task, outcome: Outcome): false {
    t.outcome = outcome;
    return false;
  }

  /** Phase 3: one download, checked and stored. */
  private async download(t: Task, signal: AbortSignal): Promise<void> {
    const caps = this.deps.policy;
    const { declared, budget } = t;
    // The cap that bounds this download: a body over maxBytes is refused by the HTTP layer.
    const bounds: [number, string][] = declared !== null
      ? [[declared, `size mismatch: larger than the ${declared} bytes the source declares`]]
      : [[caps.maxFileBytes, fileCap(caps)], [caps.maxItemBytes - budget.used, itemCap(caps)], [caps.maxJobBytes - this.jobPlanned, jobCap(caps)]];
    const [maxBytes, bound] = bounds.reduce((a, b) => (b[0] < a[0] ? b : a));
    if (maxBytes <= 0 && declared === null) return void this.settled(t, missing(bound));
    let got: { bytes: Buffer; media_type: string | null };
    try {
      got = await this.connector.attachmentContent!(t.att, { signal, maxBytes });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (stopsTheJob(err)) throw err;
      if (err instanceof SourceError && err.code === 'SOURCE_RESPONSE_INVALID' && /over \d+ bytes/.test(err.message)) return void this.settled(t, missing(bound));
      return void this.settled(t, missing(`download failed: ${this.clean(err instanceof Error ? err.message : String(err))}`));
    }
    const size = got.bytes.length;
    if (declared !== null && size !== declared) return void this.settled(t, missing(`size mismatch: the source declares ${declared} bytes, ${size} received`));
    if (size > maxBytes) return void this.settled(t, missing(bound));
    if (declared === null) {
      // Counted now, against what is stored or planned at this moment.
      if (budget.used + size > caps.maxItemBytes) return void this.settled(t, missing(itemCap(caps)));
      if (this.jobPlanned + size > caps.maxJobBytes) return void this.settled(t, missing(jobCap(caps)));
      budget.used += size;
      this.jobPlanned += size;
    }
    const sha256 = createHash('sha256').update(got.bytes).digest('hex');
    await blobCall(() => this.deps.blobs.put(t.key, got.bytes, { sha256, media_type: t.att.media_type ?? got.media_type ?? null }));
    this.jobBytes += size;
    this.page.downloaded++;
    fill(t.att, t.key, size, sha256, got.media_type);
    this.settled(t, { stored: true });
  }

  private clean(message: string): string {
    return redact(message, this.deps.secrets).slice(0, 300);
  }
}

const fileCap = (c: Policy['attachments']) => `over the per-file cap (${mib(c.maxFileBytes)})`;
const itemCap = (c: Policy['attachments']) => `over the per-item cap (${mib(c.maxItemBytes)})`;
const jobCap = (c: Policy['attachments']) => `over the per-job cap (${mib(c.maxJobBytes)})`;

function fill(att: Attachment, key: string, size: number, sha256: string, mediaType: string | null): void {
  att.content = { blob_key: key, size, sha256 };
  att.size ??= size;
  att.media_type ??= mediaType;
}

const missing = (reason: string): Outcome => ({ stored: false, reason });
const mib = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

/**
 * A source asking for a long wait hands the job back (resumed later, stored blobs reused); a 401
 * says the credentials no longer work (a 403 may be one attachment the account may not read, so
 * only that one is missing).
 */
function stopsTheJob(err: unknown): boolean {
  if (err instanceof SourceWaitError) return true;
  return err instanceof SourceError && err.code === 'SOURCE_AUTH_FAILED' && err.httpStatus_ === 401;
}

/** The blob store failing stops the job as the item store does: an outage hands it back, a fault fails it. */
async function blobCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof BlobStoreError) throw new StoreError(err.message, err.outage ? 'outage' : 'fault');
    throw err;
  }
}

/**
 * The item's attachments part turns partial naming what is missing. A connector that reported no
 * completeness gets one whose other parts say so (not claimed complete).
 */
export function withMissingContent(c: ItemCompleteness | undefined, listed: number, tried: number, missing: string[]): ItemCompleteness {
  const base: ItemCompleteness = c ?? {
    comments: skipped('not reported by the connector'),
    history: skipped('not reported by the connector'),
    attachments: part(listed, null),
  };
  const more = missing.length > NAMED_REASONS ? `; ${missing.length - NAMED_REASONS} more` : '';
  const what = `content of ${missing.length} of ${tried} attachments not stored: ${missing.slice(0, NAMED_REASONS).join('; ')}${more}`;
  const prev = base.attachments;
  const reason = prev.state === 'partial' && prev.reason ? `${prev.reason}; ${what}` : what;
  return {
    ...base,
    attachments: { state: 'partial', reason: reason.slice(0, MAX_REASON_CHARS), fetched: prev.state === 'skipped' ? listed : prev.fetched, total: prev.total },
  };
}
