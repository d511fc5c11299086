/**
 * The BullMQ worker: takes run-import jobs, enforces one running job per scope, propagates cancel
 * from any process to the running import at once (pub/sub), and on shutdown hands running jobs
 * back to the queue after their current batch so another worker resumes them from the checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { QUEUE_NAME, type ImportJobData } from './queue.js';
import { runImport, type RunDeps } from './run-import.js';
import type { ScopeLocks } from './scope-lock.js';
import type { JobEvents } from './events.js';
import type { CallbackDelivery } from './callbacks/delivery.js';
import type { JobEndObserver } from '../metrics.js';
import { TERMINAL_STATUSES } from './types.js';
import { backoffDelay, type Policy } from '../policy.js';

export interface WorkerDeps extends RunDeps {
  connection: ConnectionOptions;
  queuePrefix: string;
  concurrency: number;
  locks: ScopeLocks;
  events: JobEvents;
  /** the completion-callback loop, run beside the worker (null: WEBHOOK_SECRET unset) */
  callbacks: CallbackDelivery | null;
  /** the sync tick handler, run beside the worker (src/syncs/ticker.ts) */
  syncTicker?: { start(): void; close(): Promise<void> } | null;
  /** the vendor webhook delivery handler, run beside the worker (src/webhooks/worker.ts) */
  webhooks?: { start(): void; close(): Promise<void> } | null;
  /** told when a job reached a terminal status (or was found ended in the queue): a sync counts its run */
  onRunEnded?: (data: ImportJobData) => Promise<void>;
  logger: Logger;
  policy: Pick<Policy, 'jobs' | 'sources' | 'worker' | 'scopeLock' | 'attachments'>;
  /** told of every job a run of this worker ended */
  metrics?: JobEndObserver;
}

export class ImportWorker {
  private readonly running = new Map<string, AbortController>();
  private worker: Worker<ImportJobData> | null = null;
  private closing = false;

  constructor(private readonly deps: WorkerDeps) {}

  async start(): Promise<void> {
    await this.deps.events.onCancel((jobId) => this.running.get(jobId)?.abort('cancelled'));
    this.worker = new Worker<ImportJobData>(QUEUE_NAME, (job, token) => this.process(job, token ?? ''), {
      connection: this.deps.connection,
      prefix: this.deps.queuePrefix,
      concurrency: this.deps.concurrency,
      lockDuration: this.deps.policy.worker.lockDurationMs,
      stalledInterval: this.deps.policy.worker.stalledIntervalMs,
      // BullMQ's stall count never resets, so it would fail a long job that made progress between
      // crashes (and leave its record processing): run-import counts losses in a row and fails the record.
      maxStalledCount: 1000,
    });
    this.worker.on('error', (err) => this.deps.logger.error({ err: err.message }, 'queue worker error'));
    this.deps.callbacks?.start();
    this.deps.syncTicker?.start();
    this.deps.webhooks?.start();
  }

  /** Must not fail the queue job: a sync whose hook failed counts the run at its next tick. */
  private async ended(data: ImportJobData): Promise<void> {
    if (!this.deps.onRunEnded) return;
    await this.deps.onRunEnded(data).catch((err: unknown) =>
      this.deps.logger.warn({ job_id: data.job_id, error: err instanceof Error ? err.message : String(err) }, 'run end not reported'),
    );
  }

  private async process(job: Job<ImportJobData>, token: string): Promise<void> {
    const data = job.data;
    // BullMQ may still hand over a job while closing (even the one just handed back): return it untouched.
    if (this.closing) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const before = await this.deps.records.get(data.job_id);
    if (!before || TERMINAL_STATUSES.includes(before.status)) {
      // Ended while it waited in the queue (cancelled before it ran, or while handed back to wait
      // for its source): nothing to run, but a hand-back's scope is still held.
      await this.deps.locks.release(data).catch(() => undefined);
      await this.ended(data);
      return;
    }
    const owner = `${data.job_id}:${randomUUID()}`;
    const taken = await this.deps.locks.acquire(data, owner);
    if (taken !== 'taken') {
      // Waiting in the queue is not running: the record and credentials must not expire meanwhile.
      await this.deps.records.keepAlive(data.job_id);
      const wait = taken === 'scope-busy' ? this.deps.policy.worker.scopeBusyRetryMs : backoffDelay(1, this.deps.policy.worker.tenantBusyRetry);
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    this.running.set(data.job_id, controller);
    const renew = setInterval(() => {
      this.deps.locks.renew(data, owner).then(
        (held) => {
          if (held) return;
          this.deps.logger.warn({ job_id: data.job_id }, 'scope lease taken by another run: this run stops and goes back to the queue');
          controller.abort('lease lost');
        },
        () => undefined, // Redis down: BullMQ's own lock decides whether this run is still ours
      );
    }, this.deps.policy.scopeLock.renewEveryMs);
    let handBack = false;
    let resumeAt: number | undefined;
    let cause: string | undefined;
    try {
      // The source type labels this job's source requests in the metrics.
      const http: RunDeps['http'] = (o) => this.deps.http({ ...o, sourceType: data.source_type });
      const outcome = await runImport({ ...this.deps, http }, data, owner, controller.signal);
      if (outcome.kind === 'done' && outcome.job) this.deps.metrics?.jobEnded(outcome.job);
      if (outcome.kind === 'interrupted') {
        handBack = true;
        resumeAt = outcome.resumeAt;
        cause = outcome.cause;
      }
    } finally {
      clearInterval(renew);
      this.running.delete(data.job_id);
      if (!handBack) await this.deps.locks.release(data, owner).catch(() => undefined);
      else {
        // The scope stays this job's until it resumes (a hand-back for a source's wait: until then).
        await this.deps.locks.holdScope(data, owner, resumeAt ?? Date.now()).catch(() => undefined);
        // A run that failed unexpectedly stays counted as lost: one that keeps failing ends as a poison job.
        if (cause !== 'error') await this.deps.records.endRun(data.job_id, owner).catch(() => undefined);
      }
    }
    if (!handBack) await this.ended(data);
    if (handBack && resumeAt !== undefined) {
      if (cause === 'source-wait') await job.updateData({ ...data, rate_limit_handoffs: (data.rate_limit_handoffs ?? 0) + 1 });
      await job.moveToDelayed(resumeAt, token);
      throw new DelayedError();
    }
    if (handBack) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
  }

  /** Stop taking jobs; running imports stop after their current batch and go back to the queue. */
  async close(): Promise<void> {
    if (!this.worker) return;
    this.closing = true;
    const closing = this.worker.close();
    for (const controller of this.running.values()) controller.abort('shutdown');
    await Promise.all([closing, this.deps.callbacks?.close(), this.deps.syncTicker?.close(), this.deps.webhooks?.close()]);
    this.worker = null;
  }
}
