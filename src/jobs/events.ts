/**
 * Job change notifications over Redis pub/sub (published by lua/save.lua), multiplexed on one
 * subscriber connection per process: SSE watchers and the worker's cancel listener.
 */
import type { Redis } from 'ioredis';
import type { JobKeys } from './keys.js';
import type { JobRecord } from './types.js';

type Listener = (job: JobRecord, kind: 'progress' | 'status') => void;

export class JobEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly cancelListeners = new Set<(jobId: string) => void>();
  private cancelSubscribed = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly keys: JobKeys,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  private dispatch(channel: string, message: string): void {
    if (channel === this.keys.cancelChannel) {
      for (const fn of this.cancelListeners) fn(message);
      return;
    }
    const set = this.listeners.get(channel);
    if (!set) return;
    const sep = message.indexOf('|');
    const kind = message.slice(0, sep) === 'status' ? 'status' : 'progress';
    const job = JSON.parse(message.slice(sep + 1)) as JobRecord;
    for (const fn of set) fn(job, kind);
  }

  async watch(jobId: string, fn: Listener): Promise<() => Promise<void>> {
    const channel = this.keys.events(jobId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(fn);
    return async () => {
      set.delete(fn);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async onCancel(fn: (jobId: string) => void): Promise<void> {
    this.cancelListeners.add(fn);
    if (!this.cancelSubscribed) {
      this.cancelSubscribed = true;
      await this.subscriber.subscribe(this.keys.cancelChannel);
    }
  }
}
