/**
 * The delivery loop every worker process runs beside its import worker: it claims due callbacks
 * from the outbox, makes one attempt each and records the outcome, with the service's one backoff
 * between attempts, or the receiver's Retry-After (429 and 503), for `horizonMs` after the job
 * ended, the last attempt at that deadline. It holds no import slot; closing aborts the attempts
 * in flight, whose leases then lapse and another process makes them again.
 */
import type { Logger } from 'pino';
import type { SourceHttpFactory } from '../../outbound/types.js';
import { backoffDelay, type Policy } from '../../policy.js';
import type { CallbackOutbox, ClaimedCallback, Settlement } from './outbox.js';
import { sendCallback, type AttemptResult } from './send.js';

export interface DeliveryDeps {
  outbox: CallbackOutbox;
  http: SourceHttpFactory;
  secret: string;
  policy: Policy['callback'];
  logger: Logger;
  /**
   * Epoch ms for claims and due times (default Date.now): the schedule spans a day, so a test
   * moves this clock to run it as shipped instead of shrinking it.
   */
  now?: () => number;
}

export class CallbackDelivery {
  private readonly closing = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: DeliveryDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.schedule(0);
  }

  /** A claim still waiting on Redis is not waited for: what it returns is left to lapse. */
  async close(): Promise<void> {
    this.closing.abort('shutdown');
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (this.closing.signal.aborted) return;
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule(this.deps.policy.pollMs)), ms);
  }

  private async poll(): Promise<void> {
    const free = this.deps.policy.concurrency - this.inFlight.size;
    if (free <= 0) return;
    let claimed: ClaimedCallback[];
    try {
      claimed = await this.deps.outbox.claim(free, this.now());
    } catch (err) {
      this.deps.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'callback outbox unreadable; will look again');
      return;
    }
    for (const claim of claimed) {
      if (this.closing.signal.aborted) return;
      const attempt: Promise<void> = this.deliver(claim).finally(() => this.inFlight.delete(attempt));
      this.inFlight.add(attempt);
    }
  }

  private async deliver(claim: ClaimedCallback): Promise<void> {
    const { http, secret, policy, outbox, logger } = this.deps;
    let result: AttemptResult;
    try {
      result = await sendCallback(http, policy, secret, claim.url, claim.body, this.closing.signal);
    } catch {
      return; // closing: the lease lapses and the attempt is made again, here or elsewhere
    }
    const settlement = nextStep(result, claim, this.now(), policy);
    const log = { job_id: claim.jobId, attempts: claim.attempts, status: settlement.status };
    if (settlement.status === 'delivered') logger.info(log, 'completion callback delivered');
    else logger.warn({ ...log, error: settlement.error }, 'completion callback attempt failed');
    await outbox.settle(claim, settlement).catch((err: unknown) => {
      logger.warn({ job_id: claim.jobId, error: err instanceof Error ? err.message : String(err) }, 'callback outcome not recorded; the attempt will be made again');
    });
  }
}

/** What follows an attempt: done, given up (past the horizon, or hopeless), or the next attempt's time. */
export function nextStep(result: AttemptResult, claim: ClaimedCallback, now: number, policy: Policy['callback']): Settlement {
  if (result.ok) return { status: 'delivered' };
  const { error, retryAfterMs } = result;
  if (result.final || now >= claim.deadline) return { status: 'failed', error };
  // The receiver's Retry-After is honoured however long, the backoff otherwise. Either way the last
  // attempt is made at the deadline itself: a receiver asking to wait past the horizon still gets
  // one more try at its end rather than being dropped early, within the promised 24 h.
  const wait = retryAfterMs ?? backoffDelay(claim.attempts, policy.backoff);
  return { status: 'pending', error, nextAt: Math.min(now + wait, claim.deadline) };
}
