/**
 * The per-source gate every attempt passes before it is sent: bounded parallelism, the pause a
 * vendor asked for (Retry-After etc.), and the reported rate-limit budget. One gate per SourceHttp
 * instance, shared by all its concurrent requests, so a pause stops every request to the source —
 * not only the one that received the 429.
 */
import { SourceError } from '../errors.js';
import type { RateLimitSignal } from './http.js';

export interface GateOptions {
  source: string;
  concurrency: number;
  reserve: number;
  maxWaitMs: number;
}

export class HostGate {
  private inFlight = 0;
  private pauseUntil = 0;
  /** Last reported budget; `remaining` already counts every request answered so far. */
  private budget: { remaining: number; resetAt: number } | null = null;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly opts: GateOptions) {}

  /**
   * Waits until an attempt may be sent, then takes a slot (pair with `release`). Fails with
   * SOURCE_RATE_LIMITED when the wait in force is longer than `maxWaitMs`, and with the
   * signal's reason as soon as the caller aborts.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = Date.now();
      const until = this.blockedUntil(now);
      if (until === null) {
        this.inFlight++;
        return;
      }
      if (until !== 'slot' && until - now > this.opts.maxWaitMs) {
        throw new SourceError(
          'SOURCE_RATE_LIMITED',
          `${this.opts.source} asks to wait ${Math.ceil((until - now) / 1000)} s, over the ${Math.round(this.opts.maxWaitMs / 1000)} s allowed`,
        );
      }
      await this.waitForChange(until === 'slot' ? null : until - now, signal);
    }
  }

  release(): void {
    this.inFlight--;
    this.wake();
  }

  /** Applies what a response said; call before `release` of the attempt that got it. */
  update(signal: RateLimitSignal | null): void {
    if (!signal) return;
    if (signal.pauseUntil !== undefined && signal.pauseUntil > this.pauseUntil) this.pauseUntil = signal.pauseUntil;
    const { remaining, resetAt } = signal;
    if (remaining !== undefined && resetAt !== undefined && Number.isFinite(remaining) && Number.isFinite(resetAt)) {
      const b = this.budget;
      // Responses can arrive out of order: within one window the lowest count is the freshest.
      if (b === null || resetAt > b.resetAt) this.budget = { remaining, resetAt };
      else b.remaining = Math.min(b.remaining, remaining);
    }
    this.wake();
  }

  /** Host-wide pause (e.g. backoff after a 429 without any hint). */
  pause(until: number): void {
    this.update({ pauseUntil: until, limited: true });
  }

  /** null: go now; 'slot': wait for a release; number: blocked until that epoch ms. */
  private blockedUntil(now: number): number | 'slot' | null {
    if (this.pauseUntil > now) return this.pauseUntil;
    const b = this.budget;
    if (b !== null && b.resetAt > now && b.remaining - this.inFlight <= this.opts.reserve) {
      // Requests in flight may still bring a fresh window; a release re-evaluates before resetAt.
      return b.resetAt;
    }
    if (this.inFlight >= this.opts.concurrency) return 'slot';
    return null;
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const w of wakers) w();
  }

  private waitForChange(ms: number | null, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wakers.delete(done);
      };
      const done = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal!.reason);
      };
      if (ms !== null) timer = setTimeout(done, ms);
      this.wakers.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
