import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_POLICY } from '../src/policy.js';
import { TEST_POLICY } from './support/policy.js';

describe('backoffDelay', () => {
  const b = { baseMs: 100, maxMs: 1000 };

  it('doubles from the base, within [ceiling/2, ceiling] as jitter ranges over [0, 1)', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, b, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, b, () => 0.999_999))).toEqual([100, 200, 400, 800].map((c) => expect.closeTo(c, 0)));
  });

  it('is capped at maxMs however many attempts', () => {
    for (const n of [5, 10, 60, 2000]) {
      const d = backoffDelay(n, b);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('spreads: retries of many clients do not all wait the same', () => {
    expect(new Set(Array.from({ length: 20 }, () => backoffDelay(3, b))).size).toBeGreaterThan(10);
  });
});

describe('DEFAULT_POLICY', () => {
  it('retries a source at least 5 times (CONTRACT §7) and hands off before it would fail a wait', () => {
    expect(DEFAULT_POLICY.http.retries).toBeGreaterThanOrEqual(5);
    expect(DEFAULT_POLICY.http.handOffWaitMs).toBeLessThan(DEFAULT_POLICY.http.maxWaitMs);
    expect(DEFAULT_POLICY.scopeLock.renewEveryMs).toBeLessThan(DEFAULT_POLICY.scopeLock.leaseMs / 2);
    // GitHub: a secondary limit that names no time waits at least a minute
    expect(backoffDelay(1, DEFAULT_POLICY.sources.github.secondaryBackoff, () => 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('retries a callback for at least 24 h, and no attempt outlives its lease (two processes would send it)', () => {
    expect(DEFAULT_POLICY.callback.horizonMs).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    for (const p of [DEFAULT_POLICY, TEST_POLICY]) expect(p.callback.timeoutMs).toBeLessThan(p.callback.leaseMs);
  });
});
