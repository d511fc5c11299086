/** The JobService the HTTP layer calls: create, get, list, cancel, watch, stats. */
import type { Queue } from 'bullmq';
import { AppError } from '../errors.js';
import { JOB_STATUSES, type CallbackState, type CreateImportInput, type JobPage, type JobRecord, type JobService, type JobStatus, type ListFilter } from './types.js';
import type { JobRecords } from './record.js';
import { enqueueImport, type ImportJobData } from './queue.js';
import { idempotencyHashes, prepareJob, type CreateDeps } from './create.js';
import type { JobEvents } from './events.js';
import { readCallback } from './callbacks/outbox.js';
import { recordTenant } from './record-tenant.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isJobId(id: string): boolean {
  return UUID.test(id);
}

/** Redis trouble surfaces as 503 REDIS_UNAVAILABLE, never as a 500 with a driver message. */
function redisTrouble(err: unknown): never {
  if (err instanceof AppError) throw err;
  throw new AppError('REDIS_UNAVAILABLE', 'job tracking (Redis) is unavailable; try again');
}

function tracked<T>(work: Promise<T>): Promise<T> {
  return work.catch(redisTrouble);
}

export class RedisJobService implements JobService {
  constructor(
    private readonly records: JobRecords,
    private readonly queue: Queue<ImportJobData>,
    private readonly events: JobEvents,
    private readonly createDeps: CreateDeps,
  ) {}

  async create(
    input: CreateImportInput,
    ctx: { tenantId: string | null; requestId: string; correlationId: string | null; idempotencyKey: string | null },
  ): Promise<{ job: JobRecord; created: boolean }> {
    const prepared = prepareJob(this.createDeps, input, ctx);
    const idem = ctx.idempotencyKey ? idempotencyHashes(this.createDeps.credentialsKey, ctx.idempotencyKey, input) : null;
    const result = await tracked(this.records.create(prepared.record, prepared.sealed, idem, this.createDeps.tenantMaxQueued, prepared.callbackUrl, prepared.data));
    if (result.kind === 'quota') {
      throw new AppError('TOO_MANY_JOBS', `this tenant has ${result.pending} jobs waiting, the most TENANT_MAX_QUEUED allows; retry when some have run`, [], 30);
    }
    if (result.kind === 'reused') {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body', [
        { path: 'idempotency-key', message: 'reused with a different body' },
      ]);
    }
    if (result.kind === 'gone') throw new AppError('IDEMPOTENCY_KEY_REUSED', 'the job created with this Idempotency-Key has expired');
    if (result.kind === 'replay') {
      // The first request may have stored its job and then lost the queue (Redis dropped between
      // the two): the replay enqueues it again. Enqueueing is idempotent by job id.
      if (result.job.status === 'pending') await tracked(enqueueImport(this.queue, { ...prepared.data, job_id: result.job.job_id }));
      return { job: result.job, created: false };
    }
    // The record is stored: a lost enqueue (Redis dropped in between) is the sweeper's to heal
    // after its grace period. A 503 here would have the client create the same import twice.
    await enqueueImport(this.queue, prepared.data).catch(() => undefined);
    return { job: result.job, created: true };
  }

  async get(jobId: string, tenantId: string | null): Promise<JobRecord | null> {
    if (!isJobId(jobId)) return null;
    const job = await tracked(this.records.get(jobId));
    if (!job || (tenantId !== null && job.tenant_id !== tenantId)) return null;
    return job;
  }

  /** One promise on the way (no async layers): this is the API's most frequent call, polled by clients. */
  getJson(jobId: string, tenantId: string | null): Promise<string | null> {
    if (!isJobId(jobId)) return Promise.resolve(null);
    return this.records.getJson(jobId).then(
      (json) => (json === null || (tenantId !== null && recordTenant(json) !== tenantId) ? null : json),
      redisTrouble,
    );
  }

  async callback(jobId: string, tenantId: string | null): Promise<CallbackState | null> {
    const job = await this.get(jobId, tenantId);
    return job && tracked(readCallback(this.records.redis, this.records.keys, jobId));
  }

  list(filter: ListFilter): Promise<JobPage> {
    if (filter.cursor !== undefined && !/^\d{1,20}$/.test(filter.cursor)) {
      throw new AppError('VALIDATION_ERROR', 'cursor is invalid', [{ path: '/cursor', message: 'not a cursor returned by this API' }]);
    }
    return tracked(this.records.list(filter));
  }

  async cancel(jobId: string, tenantId: string | null): Promise<JobRecord> {
    const job = await this.get(jobId, tenantId);
    if (!job) throw new AppError('JOB_NOT_FOUND', `import job ${jobId} not found`);
    const result = await tracked(this.records.transition(jobId, 'cancelled'));
    if (!result.ok) {
      if (result.status === null) throw new AppError('JOB_NOT_FOUND', `import job ${jobId} not found`);
      throw new AppError('JOB_NOT_CANCELLABLE', `import job ${jobId} is already ${result.status}`);
    }
    // A running job sees the cancel at once. One still in the queue is left to a worker, which drops
    // it and frees a scope it held (its callback is in the outbox already); one delayed (handed back until its source
    // relents, or behind a busy scope) is made due now rather than at its time.
    await this.queue
      .getJob(jobId)
      .then(async (entry) => {
        if (entry && (await entry.isDelayed())) await entry.promote();
      })
      .catch(() => undefined);
    return result.job;
  }

  watch(jobId: string, onChange: (job: JobRecord, kind: 'progress' | 'status') => void, onResync?: () => void): Promise<() => Promise<void>> {
    return tracked(this.events.watch(jobId, onChange, onResync));
  }

  async stats(): Promise<{ byStatus: Record<JobStatus, number>; itemsImported: Record<'created' | 'updated' | 'unchanged' | 'failed', number> }> {
    const counts = await tracked(this.records.countByStatus(JOB_STATUSES));
    const items = await tracked(this.records.itemCounters());
    return {
      byStatus: Object.fromEntries(JOB_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<JobStatus, number>,
      itemsImported: { created: items.created ?? 0, updated: items.updated ?? 0, unchanged: items.unchanged ?? 0, failed: items.failed ?? 0 },
    };
  }

  async queueDepth(): Promise<Record<string, number>> {
    // No types given: BullMQ counts every state it knows (waiting, delayed, active, prioritized, …).
    return tracked(this.queue.getJobCounts());
  }
}
