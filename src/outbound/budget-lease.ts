/**
 * One AccountGate's share of its account's deployment-wide budget (shared-budget.ts): a local
 * cache of request tokens leased from Redis a block at a time, so the common request costs no
 * round trip. What the gate's responses reported goes to Redis with the next call; a pause it
 * learns of goes at once, and one any other process learns of comes back (pub/sub, or the next
 * lease at the latest). While Redis is unreachable every request may go: the gate's own view
 * (its parallelism, pause and reported budget) is then all that holds it.
 */
import type { RateLimitSignal } from './types.js';
import type { BudgetReport, PauseListener, SharedBudget } from './shared-budget.js';

/** What the lease needs of its gate. */
export interface LeaseOwner {
  /** requests of the gate in flight */
  inFlight(): number;
  /** requests queued or in flight */
  busy(): boolean;
  /** tokens came, or a call ended: queued requests look again */
  wake(): void;
  /** a pause learned by another gate or process */
  pause(until: number): void;
}

export class BudgetLease implements PauseListener {
  private readonly id: string;
  /** tokens in hand, not yet used */
  private tokens = 0;
  /** what Redis was last told this lease holds */
  private told = 0;
  private report: BudgetReport | null = null;
  private calling = false;
  /** Redis said: ask again no sooner */
  private retryAt = 0;
  private knownPause = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: SharedBudget,
    private readonly account: string,
    private readonly limits: { reserve: number; concurrency: number },
    private readonly owner: LeaseOwner,
  ) {
    this.id = shared.leaseId();
    shared.listen(account, this);
  }

  /** true: send (a token taken, or Redis down); 'wait': a call is out, `wake` follows; a number: look again then. */
  take(now: number): true | 'wait' | number {
    if (!this.shared.reachable(now)) return true;
    if (this.tokens > 0) {
      this.tokens--;
      return true;
    }
    if (this.calling) return 'wait';
    if (this.retryAt > now) return this.retryAt;
    this.call(this.shared.policy.block);
    return 'wait';
  }

  /** What a response said: its budget goes with the next call, its pause to every process now. */
  observe(signal: RateLimitSignal): void {
    const { remaining, resetAt } = signal;
    if (remaining !== undefined && resetAt !== undefined && Number.isFinite(remaining) && Number.isFinite(resetAt)) {
      this.merge({ remaining, resetAt });
    }
    if (signal.pauseUntil !== undefined && signal.pauseUntil > this.knownPause && signal.pauseUntil > Date.now()) {
      this.knownPause = signal.pauseUntil;
      this.shared.pause(this.account, signal.pauseUntil);
    }
  }

  remotePause(until: number): void {
    if (until <= this.knownPause) return;
    this.knownPause = until;
    this.owner.pause(until);
  }

  /** Nothing queued or in flight: unused tokens go back (and the report goes) unless work comes first. */
  idle(): void {
    if (this.tokens === 0 && this.told === 0 && this.report === null) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.owner.busy() || this.calling) return;
      this.tokens = 0;
      this.call(0);
    }, this.shared.policy.idleMs);
    this.idleTimer.unref();
  }

  /** Same rule as the gate: the newest window wins, and within one the lowest count. */
  private merge(r: BudgetReport): void {
    const b = this.report;
    if (b === null || r.resetAt > b.resetAt) this.report = { ...r };
    else if (r.resetAt === b.resetAt) b.remaining = Math.min(b.remaining, r.remaining);
  }

  private call(want: number): void {
    this.calling = true;
    const report = this.report;
    this.report = null;
    const held = this.tokens + this.owner.inFlight();
    void this.shared.lease(this.account, this.id, { held, want, reserve: this.limits.reserve, blind: this.limits.concurrency, report }).then((grant) => {
      this.calling = false;
      if (grant === null) {
        if (report !== null) this.merge(report); // told when Redis is back
      } else {
        this.told = held + grant.granted;
        this.tokens += grant.granted;
        this.retryAt = grant.retryAt;
        this.remotePause(grant.pauseUntil);
      }
      this.scheduleRenew();
      this.owner.wake();
      if (!this.owner.busy()) this.idle();
    });
  }

  /** Tokens held past `leaseMs` without a call would be freed for others while still in use; unused ones go back. */
  private scheduleRenew(): void {
    if (this.renewTimer !== undefined || this.tokens + this.owner.inFlight() === 0) return;
    this.renewTimer = setTimeout(() => {
      this.renewTimer = undefined;
      if (this.tokens + this.owner.inFlight() === 0) return;
      if (this.calling) return this.scheduleRenew();
      if (!this.owner.busy()) this.tokens = 0;
      this.call(0);
    }, this.shared.policy.leaseMs / 3);
    this.renewTimer.unref();
  }
}
