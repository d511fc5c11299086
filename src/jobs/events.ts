/**
 * Job change notifications over Redis pub/sub (published by lua/save.lua), multiplexed on one
 * subscriber connection per process: SSE watchers and the worker's cancel listener.
 */
import type { Redis } from 'ioredis';
import type { JobKeys } from './keys.js';
import type { JobRecord } from './types.js';

type Listener = (job: JobRecord, kind: 'progress' | 'status') => void;
type Watcher = { onChange: Listener; onResync?: () => void };

export class JobEvents {
  private readonly listeners = new Map<string, Set<Watcher>>();
  private readonly cancelListeners = new Set<(jobId: string) => void>();
  private cancelSubscribed = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly keys: JobKeys,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    // ioredis resubscribes after a reconnect, but what was published meanwhile is gone for good:
    // every watcher re-reads the record.
    let connectedOnce = false;
    subscriber.on('ready', () => {
      if (connectedOnce) for (const set of this.listeners.values()) for (const w of set) w.onResync?.();
      connectedOnce = true;
    });
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
    for (const w of set) w.onChange(job, kind);
  }

  async watch(jobId: string, onChange: Listener, onResync?: () => void): Promise<() => Promise<void>> {
    const watcher: Watcher = { onChange, onResync };
    const channel = this.keys.events(jobId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(watcher);
    return async () => {
      set.delete(watcher);
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
