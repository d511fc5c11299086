/**
 * The rate budget of each account (source + origin + credentials) shared by every process of the
 * deployment through Redis (CONTRACT §10): the budget the source reports, the pause one process
 * learned of, and the requests every process holds (leased tokens, in flight or about to be).
 * One per process; each AccountGate talks to it through its BudgetLease (budget-lease.ts).
 *
 * Keys name the account by an HMAC of who asks whom, under a subkey of CREDENTIALS_KEY: nothing in
 * Redis (keys, values, pause messages) carries or reveals a credential. Every call is bounded
 * (`timeoutMs`); a failed one makes every gate of the process keep to its own local view for
 * `fallbackMs` — the local gate is what protected the source before, so Redis down costs sharing,
 * never progress. Pauses are also published, so a gate holding tokens stops at once, not at its next lease.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientContext, Redis, Result } from 'ioredis';
import type { Logger } from 'pino';
import type { RateBudgetPolicy } from '../policy.js';

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
const SCRIPTS = { rateLease: { keys: 3, lua: lua('rate-lease') }, ratePause: { keys: 1, lua: lua('rate-pause') } };

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    rateLease(...args: (string | number)[]): Result<[number, number, number], Context>;
    ratePause(...args: (string | number)[]): Result<number, Context>;
  }
}

export interface SharedBudgetOptions {
  /** Commands of the budget; a slow or failing call falls back to the local gate after `timeoutMs`. */
  redis: Redis;
  /** REDIS_KEY_PREFIX (empty in production). */
  keyPrefix: string;
  /** HMAC key naming accounts: subkey(CREDENTIALS_KEY, 'rate-budget'), the same in every process. */
  secret: Buffer;
  policy: RateBudgetPolicy;
  /** Told once per outage that the budget is not shared, and when it is again. */
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/** What a lease call came to. */
export interface Grant {
  granted: number;
  /** epoch ms; no request of the account before it (0: none) */
  pauseUntil: number;
  /** epoch ms; ask again then (0: granted, or nothing was wanted) */
  retryAt: number;
}

/** What a gate reports: the lowest budget its answers reported in their latest window. */
export interface BudgetReport {
  remaining: number;
  resetAt: number;
}

/** Told of a pause another process (or gate) learned of. */
export interface PauseListener {
  remotePause(until: number): void;
}

export class SharedBudget {
  readonly policy: RateBudgetPolicy;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly channel: string;
  private downUntil = 0;
  private down = false;
  private subscriber: Redis | null = null;
  /** Weak: a gate the registry dropped goes away with its last client. */
  private readonly listeners = new Map<string, Set<WeakRef<PauseListener>>>();
  private closed = false;

  constructor(private readonly opts: SharedBudgetOptions) {
    this.redis = opts.redis;
    this.policy = opts.policy;
    this.prefix = `${opts.keyPrefix}import:rate:`;
    this.channel = `${this.prefix}pause`;
    for (const [name, s] of Object.entries(SCRIPTS)) {
      if (!(name in this.redis)) this.redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
    }
  }

  /** The account's name in Redis: an HMAC, never the credentials. */
  account(identity: unknown): string {
    return createHmac('sha256', this.opts.secret).update(JSON.stringify(identity)).digest('base64url');
  }

  /** A new lease id: the tokens one gate holds, freed by Redis if it stops renewing them. */
  leaseId(): string {
    return randomUUID();
  }

  /** False while Redis is taken to be down: gates then keep to their local view. */
  reachable(now = Date.now()): boolean {
    return !this.closed && now >= this.downUntil;
  }

  /**
   * Records that lease `id` now holds `held` tokens, merges its report, and grants up to `want` more,
   * keeping `reserve` requests of a reported budget unused; while no budget was ever reported, the
   * lease holds at most `blind` (its gate's parallelism). null: Redis did not answer in time (the
   * caller falls back to its local gate).
   */
  async lease(
    account: string, id: string, call: { held: number; want: number; reserve: number; blind: number; report: BudgetReport | null },
  ): Promise<Grant | null> {
    const { held, want, reserve, blind, report } = call;
    const p = this.policy;
    const k = this.keys(account);
    const reply = await this.call(() =>
      this.redis.rateLease(
        k.state, k.held, k.leases, Date.now(), id, held, want,
        report === null ? '' : Math.floor(report.remaining), report === null ? '' : Math.ceil(report.resetAt),
        reserve, p.maxInFlight, p.leaseMs, p.pollMs, p.keyMarginMs, blind,
      ),
    );
    if (reply === null) return null;
    const [granted, pauseUntil, retryAt] = reply.map(Number) as [number, number, number];
    return { granted, pauseUntil, retryAt };
  }

  /** Makes a pause this process learned of hold every process of the account. */
  pause(account: string, until: number): void {
    void this.call(() => this.redis.ratePause(this.keys(account).state, Math.ceil(until), Date.now(), this.policy.keyMarginMs, this.channel, account));
  }

  /** `listener` hears of the account's pauses published by any process. */
  listen(account: string, listener: PauseListener): void {
    this.subscribe();
    let set = this.listeners.get(account);
    if (!set) this.listeners.set(account, (set = new Set()));
    set.add(new WeakRef(listener));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private keys(account: string) {
    const base = `${this.prefix}${account}`;
    return { state: base, held: `${base}:held`, leases: `${base}:leases` };
  }

  private subscribe(): void {
    if (this.subscriber !== null || this.closed) return;
    // Its own connection (a subscribed one takes no commands), queueing while Redis is down: ioredis
    // subscribes again on reconnect, and a pause missed meanwhile is read at the next lease anyway.
    const sub = this.redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null, lazyConnect: false });
    sub.on('error', () => undefined); // the outage is reported by the lease calls
    sub.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    sub.subscribe(this.channel).catch(() => undefined);
    this.subscriber = sub;
  }

  private dispatch(channel: string, message: string): void {
    if (channel !== this.channel) return;
    const [account = '', until = ''] = message.split(' ');
    const set = this.listeners.get(account);
    if (!set || !/^\d+$/.test(until)) return;
    for (const ref of set) {
      const l = ref.deref();
      if (l === undefined) set.delete(ref);
      else l.remotePause(Number(until));
    }
    if (set.size === 0) this.listeners.delete(account);
  }

  /** A bounded call: null when Redis fails or is slow, after which gates go local for `fallbackMs`. */
  private async call<T>(fn: () => Promise<T>): Promise<T | null> {
    if (!this.reachable()) return null;
    let timer: NodeJS.Timeout | undefined;
    const pending = fn();
    pending.catch(() => undefined); // a late failure after the timeout is not unhandled
    try {
      const out = await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.policy.timeoutMs} ms`)), this.policy.timeoutMs);
        }),
      ]);
      if (this.down) {
        this.down = false;
        this.opts.logger?.info('shared rate budget reachable in Redis again');
      }
      return out;
    } catch (err) {
      this.downUntil = Date.now() + this.policy.fallbackMs;
      if (!this.down && !this.closed) {
        this.down = true;
        this.opts.logger?.warn(
          { error: err instanceof Error ? err.message : String(err) },
          'shared rate budget unreachable in Redis: each process keeps to its own rate-limit gate until it is back',
        );
      }
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
