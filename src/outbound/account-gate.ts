/**
 * The gate every attempt passes before it is sent: bounded parallelism, the pause a vendor asked
 * for (Retry-After etc.), and the reported rate-limit budget. It stands for one account at one
 * source — source + origin + credentials + settings, as GateRegistry keys it — and is shared by
 * every SourceHttp of the factory with that key, so a pause stops every request any job sends
 * on that account, not only the one that received the 429. A factory-less SourceHttp (tests)
 * gets a gate of its own. Given a SharedBudget, the gate also takes a token of the account's
 * deployment-wide budget for every request (budget-lease.ts), and pauses hold every process.
 */
import { SourceError, SourceWaitError } from '../errors.js';
import { BudgetLease } from './budget-lease.js';
import type { SharedBudget } from './shared-budget.js';
import type { RateLimitSignal } from './types.js';

export interface GateOptions {
  source: string;
  concurrency: number;
  reserve: number;
  maxWaitMs: number;
  /** Waits longer than this reject with SourceWaitError (default: never). */
  handOffWaitMs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Told when this request must wait for the account's rate limit, once per end of the wait. */
  onWait?: (until: number) => void;
  told?: number;
}

export class AccountGate {
  private inFlight = 0;
  private pauseUntil = 0;
  /** Last reported budget; `remaining` already counts every request answered so far. */
  private budget: { remaining: number; resetAt: number } | null = null;
  /** FIFO, so a request waiting for a slot is not overtaken indefinitely. */
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private readonly lease: BudgetLease | null;

  /** `shared`: the process's SharedBudget and this account's name in it. */
  constructor(private readonly opts: GateOptions, shared?: { budget: SharedBudget; account: string }) {
    this.lease = shared
      ? new BudgetLease(shared.budget, shared.account, opts, {
        inFlight: () => this.inFlight,
        busy: () => this.inFlight > 0 || this.queue.length > 0,
        wake: () => this.pump(),
        pause: (until) => this.update({ limited: false, pauseUntil: until }),
      })
      : null;
  }

  /**
   * Waits until an attempt may be sent, then takes a slot (pair with `release`). Fails with
   * SOURCE_RATE_LIMITED when the wait in force is longer than `maxWaitMs`, and with the
   * signal's reason as soon as the caller aborts. `onWait` hears of a rate-limit wait (a pause, a spent
   * budget) this request is held in, with its end, whichever job's response caused it.
   */
  acquire(signal?: AbortSignal, onWait?: (until: number) => void): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        if (this.queue.length === 0) this.clearTimer();
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
        onWait,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  release(): void {
    this.inFlight--;
    this.pump();
    if (this.inFlight === 0 && this.queue.length === 0) this.lease?.idle();
  }

  /** Applies what a response said; call before `release` of the attempt that got it. */
  update(signal: RateLimitSignal | null): void {
    if (!signal) return;
    this.lease?.observe(signal);
    if (signal.pauseUntil !== undefined && signal.pauseUntil > this.pauseUntil) this.pauseUntil = signal.pauseUntil;
    const { remaining, resetAt } = signal;
    if (remaining !== undefined && resetAt !== undefined && Number.isFinite(remaining) && Number.isFinite(resetAt)) {
      const b = this.budget;
      // Responses arrive out of order: within one window the lowest count is the freshest, and a
      // late answer from an earlier window says nothing about the current one.
      if (b === null || resetAt > b.resetAt) this.budget = { remaining, resetAt };
      else if (resetAt === b.resetAt) b.remaining = Math.min(b.remaining, remaining);
    }
    this.pump();
  }

  /** Host-wide pause (e.g. backoff after a 429 without any hint). */
  pause(until: number): void {
    this.update({ pauseUntil: until, limited: true });
  }

  /** Lets queued requests go while nothing blocks them; otherwise arranges to look again. */
  private pump(): void {
    while (this.queue.length > 0) {
      const now = Date.now();
      let until = this.blockedUntil(now);
      if (until === null && this.lease !== null) {
        const token = this.lease.take(now);
        if (token === 'wait') return; // the lease wakes the gate when its call is answered
        if (token !== true) until = token;
      }
      if (until === null) {
        this.inFlight++;
        this.queue.shift()!.resolve();
        continue;
      }
      if (until === 'slot') return; // the next release pumps
      if (until - now > this.opts.maxWaitMs) {
        const wait = `${Math.ceil((until - now) / 1000)} s, over the ${Math.round(this.opts.maxWaitMs / 1000)} s allowed`;
        this.rejectAll(new SourceError('SOURCE_RATE_LIMITED', `${this.opts.source} asks to wait ${wait}`));
        return;
      }
      if (until - now > (this.opts.handOffWaitMs ?? Infinity)) {
        this.rejectAll(new SourceWaitError(until, `${this.opts.source} asks to wait ${Math.ceil((until - now) / 1000)} s`, this.opts.source));
        return;
      }
      this.wakeAt(until);
      this.tell(until);
      return;
    }
    this.clearTimer();
  }

  private tell(until: number): void {
    for (const w of this.queue) {
      if (w.onWait === undefined || w.told === until) continue;
      w.told = until;
      w.onWait(until);
    }
  }

  /** null: go now; 'slot': wait for a release; number: blocked until that epoch ms. */
  private blockedUntil(now: number): number | 'slot' | null {
    if (this.pauseUntil > now) return this.pauseUntil;
    const b = this.budget;
    if (b !== null && b.resetAt > now && b.remaining - this.inFlight <= this.opts.reserve) {
      // Requests in flight may still bring a fresh window; their release re-evaluates before resetAt.
      return b.resetAt;
    }
    if (this.inFlight >= this.opts.concurrency) return 'slot';
    return null;
  }

  private rejectAll(err: SourceError): void {
    for (const w of this.queue.splice(0)) w.reject(err);
    this.clearTimer();
  }

  private wakeAt(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return; // an earlier timer pumps and re-arms
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, at - Date.now());
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
