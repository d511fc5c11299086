import { describe, expect, it } from 'vitest';
import type { SourceResponse } from '../../../src/outbound/types.js';
import { createGithubClassify, createGithubRateLimit } from '../../../src/connectors/github/rate-limit.js';
import { plannedUrls } from '../../../src/connectors/github/paging.js';

const NOW = 1_700_000_000_000;
const res = (status: number, headers: Record<string, string> = {}, body: unknown = {}): SourceResponse<string> => ({
  status, headers, body: JSON.stringify(body), url: 'https://api.github.com/repos/o/r/issues',
});
const budget = (remaining: number, extra: Record<string, string> = {}) => ({
  'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(NOW / 1000 + 600), 'x-ratelimit-resource': 'core', ...extra,
});
const secondary = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };

describe('GitHub rate-limit reading', () => {
  // The shortest of the jittered waits: base/2 = one minute, GitHub's documented minimum.
  const hook = () => createGithubRateLimit({ baseMs: 120_000, maxMs: 900_000 }, () => NOW, () => 0);

  it('reports the core budget of every response, and not the search budget', () => {
    expect(hook()(res(200, budget(4321)))).toEqual({ limited: false, remaining: 4321, resetAt: NOW + 600_000 });
    expect(hook()(res(200, budget(3, { 'x-ratelimit-resource': 'search' })))).toEqual({ limited: false });
    expect(hook()(res(200))).toBeNull();
  });

  it('primary limit as 403 or 429 with remaining 0: wait until x-ratelimit-reset', () => {
    for (const status of [403, 429]) {
      const body = { message: 'API rate limit exceeded for user ID 1.' };
      expect(hook()(res(status, budget(0), body))).toMatchObject({ limited: true, pauseUntil: NOW + 600_000 });
    }
  });

  it('retry-after wins over everything else', () => {
    expect(hook()(res(403, budget(0, { 'retry-after': '7' }), secondary))).toMatchObject({ limited: true, pauseUntil: NOW + 7000 });
  });

  it('secondary limit without a time: one minute, then doubling, reset by a success', () => {
    const h = hook();
    const waits = [1, 2, 3].map(() => h(res(403, budget(100), secondary))!.pauseUntil! - NOW);
    expect(waits).toEqual([60_000, 120_000, 240_000]);
    h(res(200, budget(99)));
    expect(h(res(429, {}, {}))!.pauseUntil! - NOW).toBe(60_000);
  });

  it('the older wording of a secondary limit (abuse detection, still on older GHES) is one too', () => {
    const abuse = { message: 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.' };
    expect(hook()(res(403, budget(100), abuse))).toMatchObject({ limited: true, pauseUntil: NOW + 60_000 });
  });

  it('a 403 that is no rate limit is not one', () => {
    const forbidden = { message: 'Resource not accessible by personal access token' };
    expect(hook()(res(403, budget(4000), forbidden))).toEqual({ limited: false, remaining: 4000, resetAt: NOW + 600_000 });
  });
});

describe('GitHub error classification', () => {
  const classify = createGithubClassify('o/private-repo', true);

  it.each([
    [401, { message: 'Bad credentials' }, 'SOURCE_AUTH_FAILED', /401: Bad credentials/],
    [403, { message: 'Resource not accessible by integration' }, 'SOURCE_AUTH_FAILED', /o\/private-repo \(403: Resource not accessible/],
    [404, { message: 'Not Found' }, 'SOURCE_NOT_FOUND', /o\/private-repo not found \(404\); if it is private, the token may lack access/],
    [410, { message: 'Issues are disabled for this repo' }, 'SOURCE_NOT_FOUND', /Issues are disabled/],
  ])('%i → %s', (status, body, code, message) => {
    const out = classify(res(status, {}, body));
    expect(out?.code).toBe(code);
    expect(out?.message).toMatch(message);
  });

  it('leaves 5xx and other 4xx to the default mapping, and hints at a token when there is none', () => {
    expect(classify(res(502))).toBeNull();
    expect(classify(res(422))).toBeNull();
    expect(createGithubClassify('o/r', false)(res(404))?.message).toMatch(/a token with access to it is needed/);
  });
});

describe('plannedUrls', () => {
  const link = (p: number) => `https://api.github.com/repositories/1/issues?state=all&since=2024-01-01T00%3A00%3A00Z&per_page=100&page=${p}`;

  it('templates pages next..last on the last link, keeping every other parameter verbatim', () => {
    expect(plannedUrls(link(2), link(4))).toEqual([link(2), link(3), link(4)]);
  });

  it('plans nothing when the links do not line up (cursor-style or foreign next)', () => {
    expect(plannedUrls(link(2), undefined)).toEqual([]);
    expect(plannedUrls('https://api.github.com/repositories/1/issues?after=abc', link(4))).toEqual([]);
    expect(plannedUrls(link(2).replace('state=all', 'state=open'), link(4))).toEqual([]);
  });
});
