/**
 * One BullMQ job scheduler per active sync, on its own queue (`sync-ticks`): the scheduler lives in
 * Redis, so it survives restarts, and each tick is one queue job, so exactly one worker process of
 * the deployment handles it. With `every`, BullMQ keeps a single delayed tick per scheduler; after
 * downtime that one tick fires and the next is aligned to a slot after now: missed ticks are made
 * up once, not once each.
 */
import { Queue, type ConnectionOptions } from 'bullmq';

export const TICK_QUEUE = 'sync-ticks';
export const TICK_JOB = 'sync-tick';

export interface TickData {
  sync_id: string;
}

export function createTickQueue(connection: ConnectionOptions, prefix: string): Queue<TickData> {
  return new Queue<TickData>(TICK_QUEUE, { connection, prefix });
}

export class SyncSchedules {
  constructor(readonly queue: Queue<TickData>) {}

  /**
   * Creates or updates the sync's scheduler. The first tick is due now, or `everySeconds` from now
   * with `later` (a changed interval of a sync that ran already). Returns the next tick's time.
   */
  async start(syncId: string, everySeconds: number, later = false): Promise<string | null> {
    const every = everySeconds * 1000;
    await this.queue.upsertJobScheduler(
      syncId,
      { every, ...(later && { startDate: Date.now() + every }) },
      { name: TICK_JOB, data: { sync_id: syncId }, opts: { removeOnComplete: true, removeOnFail: true } },
    );
    return this.next(syncId);
  }

  async stop(syncId: string): Promise<void> {
    await this.queue.removeJobScheduler(syncId);
  }

  /** When the scheduler's next tick is due; null when it has none. */
  async next(syncId: string): Promise<string | null> {
    const scheduler = await this.queue.getJobScheduler(syncId);
    return scheduler?.next ? new Date(scheduler.next).toISOString() : null;
  }

  /** The scheduler's interval in seconds, or null when it has none (Redis lost it, or the sync is paused). */
  async every(syncId: string): Promise<number | null> {
    const scheduler = await this.queue.getJobScheduler(syncId);
    return scheduler?.every ? Number(scheduler.every) / 1000 : null;
  }
}
