/**
 * The SyncService the HTTP layer calls (CONTRACT §11): create, list, get, pause/resume/reschedule,
 * run now, delete. The row is written first, then the scheduler: a scheduler whose sync is gone or
 * paused removes itself at its next tick, and a worker puts back a lost one at start.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import { checkSource, type CreateDeps } from '../jobs/create.js';
import { scopeHash } from '../jobs/scope-lock.js';
import type { JobRecords } from '../jobs/record.js';
import { TERMINAL_STATUSES, type CreateImportInput, type JobRecord } from '../jobs/types.js';
import type { SyncRuns } from './runs.js';
import type { SyncSchedules } from './schedule.js';
import { newWebhookSecret, openWebhookSecret, sealSyncCredentials, sealWebhookSecret } from './seal.js';
import type { SyncStore } from './store.js';
import type { Sync, SyncOptions, SyncPage, SyncRow, SyncSchedule, SyncStatus } from './types.js';

/** The default full_every_seconds (CONTRACT §11), raised to every_seconds for longer intervals. */
export const DEFAULT_FULL_EVERY_S = 86_400;

export interface CreateSyncInput extends Pick<CreateImportInput, 'source_type' | 'source_config' | 'tenant_id' | 'callback_url'> {
  options?: SyncOptions;
  schedule: { every_seconds: number; full_every_seconds?: number };
}

export interface SyncServiceDeps {
  store: SyncStore;
  runs: SyncRuns;
  schedules: SyncSchedules;
  records: JobRecords;
  create: CreateDeps;
  /** SYNC_MIN_INTERVAL_S */
  minIntervalS: number;
}

/** Redis trouble surfaces as 503 REDIS_UNAVAILABLE (database trouble is a StoreError already). */
async function tracked<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('REDIS_UNAVAILABLE', 'job tracking (Redis) is unavailable; try again');
  }
}

const notFound = (id: string) => new AppError('SYNC_NOT_FOUND', `sync ${id} not found`);

export class SyncService {
  constructor(private readonly deps: SyncServiceDeps) {}

  /** `webhookBase`: the service's public origin (PUBLIC_URL or the request's), for webhook_url. */
  async create(input: CreateSyncInput, ctx: { tenantId: string | null; webhookBase: string }): Promise<Sync & { webhook_secret: string }> {
    const schedule = this.checkSchedule(input.schedule);
    const source = checkSource(this.deps.create, input);
    const tenant = ctx.tenantId ?? input.tenant_id ?? null;
    const key = this.deps.create.credentialsKey;
    const syncId = randomUUID();
    const where = { sync_id: syncId, tenant_id: tenant, source_type: source.sourceType, base_url: source.base_url };
    const secret = newWebhookSecret();
    const now = new Date().toISOString();
    const row = await this.deps.store.insert({
      ...where, scope_hash: scopeHash({ tenant_id: tenant, source_type: source.sourceType, source_instance: source.sourceInstance, scope: source.scope }),
      status: 'active', source_instance: source.sourceInstance, scope: source.scope, config: source.publicConfig,
      options: input.options ?? {}, sealed_credentials: sealSyncCredentials(key, where, source.secrets),
      sealed_webhook_secret: sealWebhookSecret(key, where, secret), callback_url: source.callbackUrl,
      ...schedule, created_at: now, updated_at: now, next_run_at: null,
    });
    if (!row) {
      throw new AppError('SYNC_EXISTS', `this tenant has a sync of ${source.sourceType} scope "${source.scope}" at ${source.sourceInstance} already`, [
        { path: '/source_config', message: 'a scope has at most one sync per tenant' },
      ]);
    }
    let next: string | null;
    try {
      next = await this.deps.schedules.start(syncId, schedule.every_seconds);
    } catch {
      // Nothing half-made stays: without its scheduler the sync would never run.
      await this.deps.store.delete(syncId, null).catch(() => undefined);
      throw new AppError('REDIS_UNAVAILABLE', 'the sync could not be scheduled (Redis unavailable); try again');
    }
    await this.deps.store.setNextRun(syncId, next);
    return { ...this.view({ ...row, next_run_at: next }, null, ctx.webhookBase), webhook_secret: secret };
  }

  async get(syncId: string, tenantId: string | null, webhookBase: string): Promise<Sync | null> {
    const row = await this.deps.store.get(syncId, tenantId);
    return row && this.view(row, await this.liveRun(row), webhookBase);
  }

  async list(filter: { tenantId: string | null; status?: SyncStatus; limit: number; cursor?: string }, webhookBase: string): Promise<SyncPage> {
    const page = await this.deps.store.list(filter);
    const syncs = await Promise.all(page.rows.map(async (row) => this.view(row, await this.liveRun(row), webhookBase)));
    return { syncs, next_cursor: page.next_cursor };
  }

  /** PATCH: pause, resume, and/or a new schedule (replaced as a whole, full_every_seconds defaulted as at creation). */
  async update(
    syncId: string, tenantId: string | null, patch: { status?: SyncStatus; schedule?: CreateSyncInput['schedule'] }, webhookBase: string,
  ): Promise<Sync> {
    const schedule = patch.schedule && this.checkSchedule(patch.schedule);
    const before = await this.deps.store.get(syncId, tenantId);
    if (!before) throw notFound(syncId);
    const row = await this.deps.store.update(syncId, tenantId, { ...(patch.status && { status: patch.status }), ...(schedule && { schedule }) });
    if (!row) throw notFound(syncId);
    let next: string | null = row.next_run_at;
    await tracked(
      (async () => {
        if (row.status === 'paused') {
          await this.deps.schedules.stop(syncId);
          next = null;
        } else if (before.status === 'paused') {
          next = await this.deps.schedules.start(syncId, row.every_seconds); // resumed: a tick now
        } else if (schedule && schedule.every_seconds !== before.every_seconds) {
          next = await this.deps.schedules.start(syncId, row.every_seconds, true); // new interval, from now
        }
      })(),
    );
    await this.deps.store.setNextRun(syncId, next);
    return this.view({ ...row, next_run_at: next }, await this.liveRun(row), webhookBase);
  }

  /** 202 job; SYNC_RUNNING while a run is pending or processing. Runs a paused sync once, too. */
  async runNow(syncId: string, tenantId: string | null, requestId: string): Promise<JobRecord> {
    const row = await this.deps.store.get(syncId, tenantId);
    if (!row) throw notFound(syncId);
    const result = await tracked(this.deps.runs.start(row, { requestId, manual: true }));
    if (result.kind === 'started') return result.job;
    if (result.kind === 'inactive') throw notFound(syncId);
    if (result.kind === 'quota') {
      throw new AppError('TOO_MANY_JOBS', `this tenant has ${result.pending} jobs waiting, the most TENANT_MAX_QUEUED allows; retry when some have run`, [], 30);
    }
    const running = result.job ? ` (job ${result.job.job_id} is ${result.job.status})` : '';
    throw new AppError('SYNC_RUNNING', `a run of sync ${syncId} is still going${running}`);
  }

  /** Stops it for good: its scheduler goes, its items and its runs' job records stay. */
  async delete(syncId: string, tenantId: string | null): Promise<void> {
    if (!(await this.deps.store.delete(syncId, tenantId))) throw notFound(syncId);
    // A scheduler left behind by a Redis outage removes itself at its next tick (the row is gone).
    await this.deps.schedules.stop(syncId).catch(() => undefined);
  }

  /** For vendor webhooks (CONTRACT §12): the sync's secret in clear, and whose it is; null for an unknown sync. */
  async webhookSecret(syncId: string): Promise<{ secret: string; sync: SyncRow } | null> {
    const row = await this.deps.store.get(syncId, null);
    return row && { secret: openWebhookSecret(this.deps.create.credentialsKey, row), sync: row };
  }

  private checkSchedule(s: CreateSyncInput['schedule']): SyncSchedule {
    const min = this.deps.minIntervalS;
    if (s.every_seconds < min) {
      throw new AppError('VALIDATION_ERROR', `schedule.every_seconds must be at least ${min} (SYNC_MIN_INTERVAL_S)`, [
        { path: '/schedule/every_seconds', message: `must be >= ${min}` },
      ]);
    }
    const full = s.full_every_seconds ?? Math.max(DEFAULT_FULL_EVERY_S, s.every_seconds);
    if (full < s.every_seconds) {
      throw new AppError('VALIDATION_ERROR', 'schedule.full_every_seconds must not be shorter than every_seconds', [
        { path: '/schedule/full_every_seconds', message: `must be >= every_seconds (${s.every_seconds})` },
      ]);
    }
    return { every_seconds: s.every_seconds, full_every_seconds: full };
  }

  /**
   * The last run's record while its end is not counted yet, else null. A run that ended but is not
   * counted yet shows as processing: its worker is finishing it, and the count may still judge a
   * completed run failed (the watermark check).
   */
  private async liveRun(row: SyncRow): Promise<JobRecord | null> {
    if (!row.last_job_id || row.settled_job_id === row.last_job_id) return null;
    return tracked(this.deps.records.get(row.last_job_id));
  }

  private view(row: SyncRow, live: JobRecord | null, webhookBase: string): Sync {
    return {
      sync_id: row.sync_id, status: row.status, source_type: row.source_type,
      source: { base_url: row.base_url, scope: row.scope },
      schedule: { every_seconds: row.every_seconds, full_every_seconds: row.full_every_seconds },
      created_at: row.created_at, updated_at: row.updated_at, last_job_id: row.last_job_id, last_run_at: row.last_run_at,
      last_status: live ? (TERMINAL_STATUSES.includes(live.status) ? 'processing' : live.status) : row.last_status, last_error: row.last_error, next_run_at: row.status === 'paused' ? null : row.next_run_at,
      consecutive_failures: row.consecutive_failures, webhook_url: `${webhookBase}/api/webhooks/${row.sync_id}`, tenant_id: row.tenant_id,
    };
  }
}
