/**
 * The delivery loop every worker process runs beside its import worker: it claims due callbacks
 * from the outbox, makes one attempt each and records the outcome, with the service's one backoff
 * between attempts, or the receiver's Retry-After (429 and 503), for `horizonMs` after the job
 * ended. It holds no import slot; closing aborts the attempts in flight, whose leases then lapse
 * and another process makes them again.
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
}

export class CallbackDelivery {
  private readonly closing = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DeliveryDeps) {}

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
      claimed = await this.deps.outbox.claim(free);
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
    const settlement = nextStep(result, claim, Date.now(), policy);
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
  const { error, retryAt } = result;
  if (result.final || now >= claim.deadline) return { status: 'failed', error };
  if (retryAt !== null) {
    if (retryAt > claim.deadline) return { status: 'failed', error: `${error}; the receiver asks to wait past the retry horizon` };
    return { status: 'pending', error, nextAt: Math.max(retryAt, now) };
  }
  // The last attempt is made at the deadline itself, so a receiver gets the whole horizon.
  return { status: 'pending', error, nextAt: Math.min(now + backoffDelay(claim.attempts, policy.backoff), claim.deadline) };
}
