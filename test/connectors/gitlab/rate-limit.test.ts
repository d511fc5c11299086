import { describe, expect, it } from 'vitest';
import { gitlabRateLimit } from '../../../src/connectors/gitlab/rate-limit.js';
import { nextPageUrl } from '../../../src/connectors/gitlab/links.js';

const res = (status: number, headers: Record<string, string>, body = '') => ({ status, headers, body, url: 'https://gitlab.com/api/v4/x' });
const NOW = Date.parse('2021-01-05T10:59:30Z');

describe('GitLab rate-limit reading', () => {
  it('reports the budget from RateLimit-Remaining and RateLimit-Reset (Unix seconds)', () => {
    expect(gitlabRateLimit(res(200, { 'ratelimit-remaining': '33', 'ratelimit-reset': '1609844400' }), 60_000, NOW)).toEqual({
      limited: false,
      remaining: 33,
      resetAt: 1_609_844_400_000,
    });
    expect(gitlabRateLimit(res(200, {}), 60_000, NOW)).toBeNull();
  });

  it('a 429 with the plain-text body waits Retry-After seconds', () => {
    const sig = gitlabRateLimit(res(429, { 'retry-after': '30', 'ratelimit-resettime': 'Tue, 05 Jan 2021 11:00:00 GMT' }, 'Retry later\n'), 60_000, NOW);
    expect(sig).toMatchObject({ limited: true, pauseUntil: NOW + 30_000 });
  });

  it('falls back to RateLimit-ResetTime, then RateLimit-Reset, then a minute', () => {
    expect(gitlabRateLimit(res(429, { 'ratelimit-resettime': 'Tue, 05 Jan 2021 11:00:00 GMT' }), 60_000, NOW)?.pauseUntil).toBe(Date.parse('2021-01-05T11:00:00Z'));
    expect(gitlabRateLimit(res(429, { 'ratelimit-remaining': '0', 'ratelimit-reset': '1609844410' }), 60_000, NOW)?.pauseUntil).toBe(1_609_844_410_000);
    expect(gitlabRateLimit(res(429, {}), 60_000, NOW)?.pauseUntil).toBe(NOW + 60_000);
  });
});

describe('GitLab next-page links', () => {
  const origin = 'https://git.acme.io';
  const at = (headers: Record<string, string>) => ({ status: 200, headers, body: [], url: `${origin}/api/v4/projects/a%2Fb/issues?page=1&per_page=20` });

  it('follows rel="next", kept on the configured origin so the token never goes elsewhere', () => {
    expect(nextPageUrl(at({ link: `<${origin}/api/v4/projects/a%2Fb/issues?cursor=eyJ9&pagination=keyset>; rel="next"` }), origin)).toBe(
      `${origin}/api/v4/projects/a%2Fb/issues?cursor=eyJ9&pagination=keyset`,
    );
    expect(nextPageUrl(at({ link: '<http://gitlab.internal/api/v4/projects/a%2Fb/issues?page=2>; rel="next"' }), origin)).toBe(
      `${origin}/api/v4/projects/a%2Fb/issues?page=2`,
    );
  });

  it('falls back to x-next-page; none at the end', () => {
    expect(nextPageUrl(at({ 'x-next-page': '2' }), origin)).toBe(`${origin}/api/v4/projects/a%2Fb/issues?page=2&per_page=20`);
    expect(nextPageUrl(at({ 'x-next-page': '', link: '<x>; rel="first"' }), origin)).toBeNull();
  });
});
