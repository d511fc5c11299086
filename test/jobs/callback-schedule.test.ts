/**
 * What follows a callback attempt (src/jobs/callbacks/delivery.ts nextStep): pure, so checked
 * directly, and over the shipped DEFAULT_POLICY as a whole day of attempts. Retry-After is read
 * by a real attempt (sendCallback) against a local receiver.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextStep } from '../../src/jobs/callbacks/delivery.js';
import { sendCallback } from '../../src/jobs/callbacks/send.js';
import { createSourceHttpFactory } from '../../src/outbound/http.js';
import { DEFAULT_POLICY } from '../../src/policy.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const policy = DEFAULT_POLICY.callback;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The longest a receiver that came back waits for its delivery, when it sent no Retry-After. */
const GAP_CAP = 15 * MINUTE;
const now = 1_000_000;
const claim = { jobId: 'j', url: 'https://r.example/h', body: '{}', deadline: now + HOUR, attempts: 3, token: 't' };
const failed = (retryAfterMs: number | null, final = false) => ({ ok: false as const, error: 'HTTP 503', retryAfterMs, final });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('nextStep', () => {
  it('backs off with the service backoff, capped at the deadline, where the last attempt is made', () => {
    const s = nextStep(failed(null), claim, now, policy);
    expect(s).toMatchObject({ status: 'pending', error: 'HTTP 503' });
    const wait = (s as { nextAt: number }).nextAt - now;
    expect(wait).toBeGreaterThanOrEqual(policy.backoff.baseMs * 2);
    expect(wait).toBeLessThanOrEqual(policy.backoff.baseMs * 4);
    expect(nextStep(failed(null), { ...claim, attempts: 50 }, claim.deadline - 1000, policy)).toMatchObject({ nextAt: claim.deadline });
  });

  it('waits exactly as long as Retry-After says, even far beyond the backoff cap', () => {
    expect(nextStep(failed(60_000), claim, now, policy)).toMatchObject({ status: 'pending', nextAt: now + 60_000 });
    // 40 min: more than any backoff step (15 min), still honoured
    expect(nextStep(failed(40 * MINUTE), { ...claim, attempts: 1 }, now, policy)).toMatchObject({ status: 'pending', nextAt: now + 40 * MINUTE });
  });

  it('a Retry-After past the horizon gets one last attempt at the deadline, not an early drop', () => {
    expect(nextStep(failed(2 * HOUR), claim, now, policy)).toMatchObject({ status: 'pending', nextAt: claim.deadline });
  });

  it('fails at the deadline, or at once when retrying cannot help; delivered is delivered', () => {
    expect(nextStep(failed(null), claim, claim.deadline, policy)).toEqual({ status: 'failed', error: 'HTTP 503' });
    expect(nextStep(failed(null, true), claim, now, policy)).toMatchObject({ status: 'failed' });
    expect(nextStep({ ok: true }, claim, now, policy)).toEqual({ status: 'delivered' });
  });
});

/** Every attempt time, from the job's end (0) to giving up, when each attempt fails without Retry-After. */
function shippedSchedule(random: number): number[] {
  vi.spyOn(Math, 'random').mockReturnValue(random);
  const c = { ...claim, deadline: policy.horizonMs, attempts: 0 };
  const times: number[] = [];
  let t = 0;
  for (;;) {
    c.attempts += 1;
    times.push(t);
    const s = nextStep(failed(null), c, t, policy);
    if (s.status !== 'pending') return times;
    expect(s.nextAt).toBeGreaterThan(t);
    t = s.nextAt;
    if (times.length > 10_000) throw new Error('the schedule never ends');
  }
}

describe('the shipped schedule (DEFAULT_POLICY.callback)', () => {
  it.each([
    ['shortest', 0],
    ['longest', 0.999999],
  ])('with the %s jitter: attempts for 24 h, the last at 24 h, never more than 15 min apart', (_, random) => {
    expect(policy.horizonMs).toBeGreaterThanOrEqual(24 * HOUR);
    expect(policy.backoff.maxMs).toBeLessThanOrEqual(GAP_CAP);
    const times = shippedSchedule(random);
    expect(times.at(-1)).toBe(policy.horizonMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(GAP_CAP);
    // a receiver down for any hour of the day is tried again within 15 min of coming back
    for (let down = 0; down + HOUR <= policy.horizonMs; down += 5 * MINUTE) {
      const next = times.find((t) => t >= down + HOUR);
      expect(next! - (down + HOUR)).toBeLessThanOrEqual(GAP_CAP);
    }
    // bounded work: ~105 (longest jitter) to 200 (shortest) attempts per undeliverable callback over its day
    expect(times.length).toBeGreaterThan(90);
    expect(times.length).toBeLessThanOrEqual(250);
  });
});

describe('Retry-After from a real attempt', () => {
  let receivers: Receiver[] = [];
  afterEach(async () => {
    for (const r of receivers) await r.close();
    receivers = [];
  });
  const http = createSourceHttpFactory({ allowPrivateNetworks: true, policy: DEFAULT_POLICY });

  it.each([429, 503])('on %i, longer than any backoff step, is the next attempt time', async (status) => {
    const r = await startReceiver(() => ({ status, headers: { 'retry-after': String(40 * 60) } }));
    receivers.push(r);
    const result = await sendCallback(http, policy, 'whsec-test-0123456789abcdef0123456789', r.url, '{"job_id":"j"}', new AbortController().signal);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining(`HTTP ${status}`), final: false });
    if (result.ok) return;
    expect(result.retryAfterMs).toBeGreaterThan(40 * MINUTE - 5000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(40 * MINUTE);
    const s = nextStep(result, { ...claim, attempts: 1, deadline: now + policy.horizonMs }, now, policy);
    expect(s).toMatchObject({ status: 'pending', nextAt: now + result.retryAfterMs! });
    expect(r.hits).toHaveLength(1);
  });
});
