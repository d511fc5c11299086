import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import type { GithubFault } from '../../../src/sandbox/fakes/github.js';
import { closeFakes, connectorFor, drain, expectedComments, issueNumbers, startFake } from './helpers.js';

afterEach(closeFakes);

const ISSUE_PAGE_2 = /issues\?.*page=2$/;

async function completesExactly(fault: GithubFault, tuning = {}) {
  const fake = await startFake({ issues: 1000 });
  fake.inject(fault);
  const { items } = await drain(connectorFor(fake, {}, tuning));
  expect(items.map((i) => Number(i.key.slice(1)))).toEqual(issueNumbers(fake));
  for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
  return fake;
}

/**
 * After a refusal no new request goes out until the pause ends, and the refused one is retried
 * after it. Requests already in flight — at most concurrency - 1 = 3 — may still land while the
 * client has not yet read the refusal; a leaking pause would let the other ~30 pages through.
 */
function pausedAfterRefusal(fake: Awaited<ReturnType<typeof startFake>>, status: number, pauseMs: number | 'reset'): void {
  const i = fake.requests.findIndex((r) => r.status === status);
  expect(i).toBeGreaterThanOrEqual(0);
  const refused = fake.requests[i]!;
  const end = pauseMs === 'reset' ? Number(refused.responseHeaders['x-ratelimit-reset']) * 1000 : refused.answeredAt + pauseMs;
  expect(fake.requests.filter((r) => r.at > refused.answeredAt && r.at < end - 5).length).toBeLessThanOrEqual(3);
  const retry = fake.requests.slice(i + 1).find((r) => r.target === refused.target);
  expect(retry!.at).toBeGreaterThanOrEqual(end - 5);
}

describe('GitHub faults complete exactly once', () => {
  it('429 with retry-after on an issue page', async () => {
    const fake = await completesExactly({ kind: 'secondary', status: 429, retryAfterSec: 1, match: ISSUE_PAGE_2 });
    pausedAfterRefusal(fake, 429, 1000);
  });

  it('403 primary limit (remaining 0): nothing is sent before x-ratelimit-reset', async () => {
    const fake = await completesExactly({ kind: 'primary', status: 403, resetInSec: 2, match: /comments/ });
    pausedAfterRefusal(fake, 403, 'reset');
  });

  it.each([
    ['secondary rate limit', false],
    ['abuse detection (older wording)', true],
  ])('403 %s without retry-after waits the minimum, then continues', async (_wording, legacy) => {
    const fake = await completesExactly({ kind: 'secondary', status: 403, legacy, match: ISSUE_PAGE_2 }, { secondaryBackoff: { baseMs: 600, maxMs: 600 } });
    pausedAfterRefusal(fake, 403, 300);
  });

  it('500s and a truncated body are retried', async () => {
    const fake = await startFake({ issues: 300 });
    fake.inject({ kind: 'status', status: 500, times: 2, match: ISSUE_PAGE_2 });
    fake.inject({ kind: 'truncate', match: /comments\?.*page=3/ });
    const { items } = await drain(connectorFor(fake));
    expect(items.map((i) => Number(i.key.slice(1)))).toEqual(issueNumbers(fake));
    expect(fake.requests.filter((r) => r.status === 500)).toHaveLength(2);
  });

  it('a response slower than the timeout is abandoned and asked again', async () => {
    const fake = await startFake({ issues: 300 });
    fake.inject({ kind: 'slow', delayMs: 800, match: ISSUE_PAGE_2 });
    const { items } = await drain(connectorFor(fake, {}, {}, 300));
    expect(items.map((i) => Number(i.key.slice(1)))).toEqual(issueNumbers(fake));
    // The abandoned request is logged once the fake gets round to answering it.
    await new Promise((r) => setTimeout(r, 800));
    const page2 = fake.requests.filter((r) => ISSUE_PAGE_2.test(r.target));
    expect(page2).toHaveLength(2);
    expect(page2.map((r) => r.answeredAt - r.at >= 790).sort()).toEqual([false, true]);
  });

  it('keeps under a small budget without a single refusal', async () => {
    const fake = await startFake({ issues: 240, rateLimit: { limit: 10, windowMs: 1000, status: 429 } });
    const { items } = await drain(connectorFor(fake), { batchSize: 10 });
    expect(items).toHaveLength(160);
    expect(fake.requests.length).toBeGreaterThan(25);
    expect(fake.limited).toBe(0);
  });
});

describe('GitHub failures of the source as a whole', () => {
  async function failure(setup: (fake: Awaited<ReturnType<typeof startFake>>) => void, config: Record<string, unknown> = {}) {
    const fake = await startFake({ issues: 50 });
    setup(fake);
    const err = await drain(connectorFor(fake, config)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).not.toContain(fake.token);
    return err as SourceError;
  }

  it('persistent 500 → SOURCE_UNAVAILABLE after retries', async () => {
    const err = await failure((f) => f.inject({ kind: 'status', status: 500, times: Infinity }));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
  });

  it('wrong token → SOURCE_AUTH_FAILED', async () => {
    const err = await failure(() => undefined, { token: 'ghp_wrongToken000000000000000000000000' });
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).toContain('401');
    expect(err.message).not.toContain('ghp_wrong');
  });

  it('403 that is no rate limit → SOURCE_AUTH_FAILED', async () => {
    const err = await failure((f) => f.inject({ kind: 'forbidden', times: Infinity }));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).toContain('Resource not accessible');
  });

  it('missing repository → SOURCE_NOT_FOUND with a hint about token access', async () => {
    const err = await failure(() => undefined, { repo: 'no-such-repo' });
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toMatch(/octo-org\/no-such-repo.*token may lack access/);
  });

  it('a reset too far away → SOURCE_RATE_LIMITED without waiting', async () => {
    const err = await failure((f) => f.inject({ kind: 'primary', status: 429, resetInSec: 3600 }));
    expect(err.code).toBe('SOURCE_RATE_LIMITED');
  });
});
