/**
 * A sync's runs: starting one (a tick, or "run now") and counting its end. Runs are ordinary import
 * jobs carrying sync_id. They never overlap: a run starts only when the last one has ended, and the
 * conditional update of SyncStore.claimRun lets one of two racing starters win. Settling is
 * idempotent (SyncStore.settle counts each run once), so the worker's hook, a later tick and a
 * crash in between can all call it.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { buildJob, DEFAULT_OPTIONS, type CheckedSource } from '../jobs/create.js';
import { enqueueImport, type ImportJobData } from '../jobs/queue.js';
import type { JobRecords } from '../jobs/record.js';
import { TERMINAL_STATUSES, type JobRecord } from '../jobs/types.js';
import type { ItemStore } from '../store/types.js';
import type { ItemScope } from '../items/types.js';
import { openSyncCredentials } from './seal.js';
import type { RunEnd, SyncStore } from './store.js';
import type { SyncRow } from './types.js';

export interface SyncRunsDeps {
  store: SyncStore;
  records: JobRecords;
  queue: Queue<ImportJobData>;
  items: Pick<ItemStore, 'getWatermark'>;
  credentialsKey: Buffer;
  /** who holds the scope's run lease (src/jobs/scope-lock.ts): `<job_id>:<token>`, or null */
  scopeHolder(s: SyncRow): Promise<string | null>;
  /** TENANT_MAX_QUEUED (0 = no limit) */
  tenantMaxQueued: number;
  logger: Logger;
}

export type StartResult =
  | { kind: 'started'; job: JobRecord }
  /** a run of the sync is pending or processing (`job` null: another starter won a moment ago) */
  | { kind: 'running'; job: JobRecord | null }
  /** paused or deleted meanwhile */
  | { kind: 'inactive' }
  | { kind: 'quota'; pending: number };

const isLive = (job: JobRecord | null): job is JobRecord => job !== null && !TERMINAL_STATUSES.includes(job.status);

export function scopeOfSync(s: SyncRow): ItemScope {
  return { tenantId: s.tenant_id, sourceType: s.source_type, sourceInstance: s.source_instance, scope: s.scope };
}

/** Full for the first run, and once the last completed full run began full_every_seconds ago or more. */
export function modeFor(s: SyncRow, now: number): 'full' | 'incremental' {
  if (!s.last_full_at) return 'full';
  return now - Date.parse(s.last_full_at) >= s.full_every_seconds * 1000 ? 'full' : 'incremental';
}

export class SyncRuns {
  constructor(private readonly deps: SyncRunsDeps) {}

  /** `manual`: "run now", which also runs a paused sync once. */
  async start(initial: SyncRow, ctx: { requestId: string; manual: boolean }): Promise<StartResult> {
    let sync = initial;
    if (sync.last_job_id) {
      const last = await this.deps.records.get(sync.last_job_id);
      if (isLive(last)) return { kind: 'running', job: last };
      if (sync.settled_job_id !== sync.last_job_id) {
        // Ended but not counted: its worker is still finishing (the watermark is written after the
        // status, then the scope lease released, then the run counted), or died in between. Until its
        // lease is gone the run is not over; then its end is counted here, before the next run.
        const holder = await this.deps.scopeHolder(sync);
        if (holder?.startsWith(`${sync.last_job_id}:`)) return { kind: 'running', job: last };
        await this.settle(sync.sync_id, sync.last_job_id);
        const fresh = await this.deps.store.get(sync.sync_id, null);
        if (!fresh) return { kind: 'inactive' };
        sync = fresh;
      }
    }
    if (!ctx.manual && sync.status !== 'active') return { kind: 'inactive' };
    const mode = modeFor(sync, Date.now());
    const watermark = await this.deps.items.getWatermark(scopeOfSync(sync));
    const prepared = buildJob(this.deps.credentialsKey, checkedSourceOf(sync, openSyncCredentials(this.deps.credentialsKey, sync)), {
      options: { ...DEFAULT_OPTIONS, ...sync.options, mode }, tenantId: sync.tenant_id, requestId: ctx.requestId,
      correlationId: null, syncId: sync.sync_id,
    });
    const jobId = prepared.record.job_id;
    if (!(await this.deps.store.claimRun(sync, jobId, mode, watermark, prepared.record.created_at, ctx.manual))) {
      const now = await this.deps.store.get(sync.sync_id, null);
      if (!now || (!ctx.manual && now.status !== 'active')) return { kind: 'inactive' };
      return { kind: 'running', job: now.last_job_id ? await this.deps.records.get(now.last_job_id) : null };
    }
    let created;
    try {
      created = await this.deps.records.create(prepared.record, prepared.sealed, null, this.deps.tenantMaxQueued, prepared.callbackUrl);
    } catch (err) {
      await this.deps.store.unclaim(sync, jobId).catch(() => undefined);
      throw err;
    }
    if (created.kind === 'quota') {
      await this.deps.store.unclaim(sync, jobId);
      return { kind: 'quota', pending: created.pending };
    }
    try {
      await enqueueImport(this.deps.queue, prepared.data);
    } catch (err) {
      // Without a queue entry the run would wait forever: it fails visibly, and the next tick starts another.
      await this.deps.records.transition(jobId, 'failed', { error_code: 'INTERNAL_ERROR', error_message: 'the job could not be queued' }).catch(() => undefined);
      await this.settle(sync.sync_id, jobId).catch(() => undefined);
      throw err;
    }
    this.deps.logger.info({ sync_id: sync.sync_id, job_id: jobId, mode, manual: ctx.manual }, 'sync run started');
    return { kind: 'started', job: created.kind === 'created' ? created.job : prepared.record };
  }

  /** Counts the end of run `jobId` of the sync, once; nothing while the run is still live. */
  async settle(syncId: string, jobId: string): Promise<void> {
    const job = await this.deps.records.get(jobId);
    if (isLive(job)) return;
    const sync = await this.deps.store.get(syncId, null);
    if (!sync || sync.last_job_id !== jobId || sync.settled_job_id === jobId) return;
    const end = await this.judge(sync, job);
    if (await this.deps.store.settle(syncId, jobId, end)) {
      const log = end.status === 'completed' ? 'info' : 'warn';
      this.deps.logger[log]({ sync_id: syncId, job_id: jobId, status: end.status, error: end.error }, 'sync run ended');
    }
  }

  private async judge(sync: SyncRow, job: JobRecord | null): Promise<RunEnd> {
    if (!job) return { status: 'failed', error: 'the run\'s job record is gone (expired, or never written)', runAt: null, fullCompleted: false };
    const runAt = job.started_at ?? job.created_at;
    if (job.status === 'failed') return { status: 'failed', error: `${job.error_code ?? 'INTERNAL_ERROR'}: ${job.error_message ?? 'failed'}`, runAt, fullCompleted: false };
    if (job.status === 'cancelled') return { status: 'cancelled', error: null, runAt, fullCompleted: false };
    const stuck = sync.last_mode === 'incremental' ? await this.stuckWatermark(sync, job) : null;
    if (stuck) return { status: 'failed', error: stuck, runAt, fullCompleted: false };
    return { status: 'completed', error: null, runAt, fullCompleted: sync.last_mode === 'full' };
  }

  /**
   * An incremental run that stored changes (created or updated items) but left the scope's
   * watermark where it was would read the same changes again next time, forever: a failure, not a
   * success. Unchanged items do not count: the 5-minute overlap re-reads them on every run.
   */
  private async stuckWatermark(sync: SyncRow, job: JobRecord): Promise<string | null> {
    const changed = job.progress.successful_items;
    if (changed === 0) return null;
    const now = await this.deps.items.getWatermark(scopeOfSync(sync));
    const before = sync.run_watermark ? Date.parse(sync.run_watermark) : null;
    if (now && (before === null || now.getTime() > before)) return null;
    return `watermark did not advance: the source reported ${changed} changed items but none was updated after ` +
      `${sync.run_watermark ?? 'the start'}; the next incremental run would read them again`;
  }
}

/** The saved source of a sync, in the shape buildJob takes, with its credentials opened for one run. */
function checkedSourceOf(s: SyncRow, secrets: Record<string, unknown>): CheckedSource {
  return {
    sourceType: s.source_type, base_url: s.base_url, scope: s.scope, sourceInstance: s.source_instance,
    publicConfig: s.config, secrets, callbackUrl: s.callback_url,
  };
}

export const newRequestId = (): string => randomUUID();
