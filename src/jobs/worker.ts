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
import { sendCallback } from './callback.js';

export interface WorkerDeps extends RunDeps {
  connection: ConnectionOptions;
  queuePrefix: string;
  concurrency: number;
  locks: ScopeLocks;
  events: JobEvents;
  webhookSecret: string | null;
  logger: Logger;
  /** BullMQ lock/stall timings; defaults recover a crashed worker's job within ~60 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

const SCOPE_BUSY_RETRY_MS = 2_000;

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
      lockDuration: this.deps.lockDurationMs ?? 30_000,
      stalledInterval: this.deps.stalledIntervalMs ?? 30_000,
      // a crash is not the job's fault: keep recovering it rather than failing it in BullMQ
      maxStalledCount: 1000,
    });
    this.worker.on('error', (err) => this.deps.logger.error({ err: err.message }, 'queue worker error'));
  }

  private async process(job: Job<ImportJobData>, token: string): Promise<void> {
    const data = job.data;
    // BullMQ may still hand over a job while closing (even the one just handed back): return it untouched.
    if (this.closing) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (!(await this.deps.locks.acquire(data))) {
      await job.moveToDelayed(Date.now() + SCOPE_BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    this.running.set(data.job_id, controller);
    const renew = setInterval(() => void this.deps.locks.acquire(data).catch(() => undefined), this.deps.locks.leaseMs / 3);
    let handBack = false;
    let resumeAt: number | undefined;
    try {
      const outcome = await runImport(this.deps, data, `${data.job_id}:${randomUUID()}`, controller.signal);
      if (outcome.kind === 'interrupted') {
        handBack = true;
        resumeAt = outcome.resumeAt;
      } else if (outcome.job && data.callback_url && this.deps.webhookSecret && outcome.job.status !== 'processing') {
        await sendCallback(this.deps.http, this.deps.webhookSecret, data.callback_url, outcome.job, this.deps.logger);
      }
    } finally {
      clearInterval(renew);
      this.running.delete(data.job_id);
      if (!handBack) await this.deps.locks.release(data).catch(() => undefined);
    }
    if (handBack && resumeAt !== undefined) {
      // The slot is freed while the source wants us to wait; the scope stays ours until we resume.
      await this.deps.locks.acquire(data, resumeAt - Date.now() + this.deps.locks.leaseMs);
      await job.updateData({ ...data, rate_limit_handoffs: (data.rate_limit_handoffs ?? 0) + 1 });
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
    await closing;
    this.worker = null;
  }
}
