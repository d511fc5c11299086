/**
 * The tick handler, run by every worker process: BullMQ hands each tick of a sync's scheduler to
 * one of them, which starts a run unless the last one is still going (a tick during a run is
 * skipped, so runs never overlap and a backlog is never replayed). At start it also puts back the
 * scheduler of any active sync that Redis lost (the database is the store of record).
 */
import { randomUUID } from 'node:crypto';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Policy } from '../policy.js';
import { TICK_QUEUE, type SyncSchedules, type TickData } from './schedule.js';
import type { SyncRuns } from './runs.js';
import type { SyncStore } from './store.js';

export interface TickerDeps {
  connection: ConnectionOptions;
  queuePrefix: string;
  store: SyncStore;
  runs: SyncRuns;
  schedules: SyncSchedules;
  logger: Logger;
  policy: Policy['syncs'];
}

export class SyncTicker {
  private worker: Worker<TickData> | null = null;

  constructor(private readonly deps: TickerDeps) {}

  start(): void {
    this.worker = new Worker<TickData>(TICK_QUEUE, (job) => this.tick(job), {
      connection: this.deps.connection,
      prefix: this.deps.queuePrefix,
      concurrency: this.deps.policy.tickConcurrency,
    });
    this.worker.on('error', (err) => this.deps.logger.error({ err: err.message }, 'sync tick worker error'));
    void this.restoreSchedulers().catch((err: unknown) =>
      this.deps.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'sync schedulers not checked at start'),
    );
  }

  private async tick(job: Job<TickData>): Promise<void> {
    const syncId = job.data.sync_id;
    const sync = await this.deps.store.get(syncId, null);
    if (!sync || sync.status !== 'active') {
      // Paused or deleted while Redis was out of reach: its scheduler outlived it.
      await this.deps.schedules.stop(syncId);
      return;
    }
    const result = await this.deps.runs.start(sync, { requestId: randomUUID(), manual: false });
    if (result.kind === 'running') this.deps.logger.info({ sync_id: syncId, job_id: result.job?.job_id }, 'sync tick skipped: the last run is still going');
    if (result.kind === 'quota') this.deps.logger.warn({ sync_id: syncId, pending: result.pending }, 'sync tick skipped: the tenant has TENANT_MAX_QUEUED jobs waiting');
    await this.deps.store.setNextRun(syncId, await this.deps.schedules.next(syncId));
  }

  /** Active syncs without a scheduler get one back (Redis restarted without its data, or a failed write). */
  private async restoreSchedulers(): Promise<void> {
    let after: string | null = null;
    do {
      const page = await this.deps.store.activeIds(after, this.deps.policy.restoreBatch);
      for (const { sync_id, every_seconds } of page.ids) {
        if ((await this.deps.schedules.every(sync_id)) !== null) continue;
        const next = await this.deps.schedules.start(sync_id, every_seconds);
        await this.deps.store.setNextRun(sync_id, next);
        this.deps.logger.warn({ sync_id }, 'sync scheduler was missing: restored');
      }
      after = page.last;
    } while (after !== null && this.worker !== null);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.close();
  }
}
