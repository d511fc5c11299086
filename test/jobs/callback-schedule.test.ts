/** What follows a callback attempt (src/jobs/callbacks/delivery.ts nextStep): pure, so checked directly. */
import { describe, expect, it } from 'vitest';
import { nextStep } from '../../src/jobs/callbacks/delivery.js';
import { DEFAULT_POLICY } from '../../src/policy.js';

const policy = DEFAULT_POLICY.callback;
const now = 1_000_000;
const claim = { jobId: 'j', url: 'https://r.example/h', body: '{}', deadline: now + 3_600_000, attempts: 3, token: 't' };
const failed = (retryAt: number | null, final = false) => ({ ok: false as const, error: 'HTTP 503', retryAt, final });

describe('nextStep', () => {
  it('backs off with the service backoff, capped at the deadline, where the last attempt is made', () => {
    const s = nextStep(failed(null), claim, now, policy);
    expect(s).toMatchObject({ status: 'pending', error: 'HTTP 503' });
    const wait = (s as { nextAt: number }).nextAt - now;
    expect(wait).toBeGreaterThanOrEqual(policy.backoff.baseMs * 2);
    expect(wait).toBeLessThanOrEqual(policy.backoff.baseMs * 4);
    expect(nextStep(failed(null), { ...claim, attempts: 50 }, claim.deadline - 1000, policy)).toMatchObject({ nextAt: claim.deadline });
  });

  it('waits exactly as long as Retry-After says, and gives up when that is past the horizon', () => {
    expect(nextStep(failed(now + 60_000), claim, now, policy)).toMatchObject({ status: 'pending', nextAt: now + 60_000 });
    expect(nextStep(failed(claim.deadline + 1), claim, now, policy)).toMatchObject({ status: 'failed' });
  });

  it('fails at the deadline, or at once when retrying cannot help; delivered is delivered', () => {
    expect(nextStep(failed(null), claim, claim.deadline, policy)).toEqual({ status: 'failed', error: 'HTTP 503' });
    expect(nextStep(failed(null, true), claim, now, policy)).toMatchObject({ status: 'failed' });
    expect(nextStep({ ok: true }, claim, now, policy)).toEqual({ status: 'delivered' });
  });
});
