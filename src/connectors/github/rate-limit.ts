/**
 * GitHub's reading of responses for the shared HTTP layer [G3][G7]:
 * - every response carries x-ratelimit-remaining / x-ratelimit-reset (epoch seconds): reported as the
 *   budget so the layer stops before it is spent (only for the `core` resource — the search API has
 *   its own small per-minute budget that must not stall issue paging);
 * - a primary or secondary limit answers 403 OR 429. Wait as documented: retry-after if present,
 *   else until x-ratelimit-reset when remaining is 0, else the policy's secondary backoff (at least a
 *   minute, growing exponentially while the secondary limit persists);
 * - a 403 that is no rate limit is a permission problem; a private repository without access is a 404.
 */
import type { SourceErrorCode } from '../../errors.js';
import type { RateLimitSignal, SourceResponse } from '../../outbound/types.js';
import { backoffDelay, type Backoff } from '../../policy.js';

function githubMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message.slice(0, 200) : null;
  } catch {
    return null;
  }
}

function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function isRateLimitResponse(res: SourceResponse<string>): boolean {
  if (res.status === 429) return true;
  if (res.status !== 403) return false;
  return (
    res.headers['x-ratelimit-remaining'] === '0' ||
    res.headers['retry-after'] !== undefined ||
    // "…exceeded a secondary rate limit…"; before it was renamed (and on older GHES) "…triggered an abuse detection mechanism…"
    /rate limit|abuse detection/i.test(githubMessage(res.body) ?? '')
  );
}

/** One hook per connector: it remembers consecutive unexplained secondary limits for the backoff. */
export function createGithubRateLimit(
  secondaryBackoff: Backoff,
  now: () => number = Date.now,
  random: () => number = Math.random,
): (res: SourceResponse<string>) => RateLimitSignal | null {
  let strikes = 0;
  return (res) => {
    const h = res.headers;
    const remaining = Number(h['x-ratelimit-remaining']);
    const resetAt = Number(h['x-ratelimit-reset']) * 1000;
    const haveBudget = h['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining) && Number.isFinite(resetAt);
    const resource = h['x-ratelimit-resource'];
    const budget = haveBudget && (resource === undefined || resource === 'core') ? { remaining, resetAt } : {};

    if (!isRateLimitResponse(res)) {
      if (res.status < 400) strikes = 0;
      return haveBudget ? { limited: false, ...budget } : null;
    }
    const t = now();
    const ra = retryAfterMs(h['retry-after'], t);
    if (ra !== null) return { limited: true, pauseUntil: t + ra, ...budget };
    if (haveBudget && remaining === 0) return { limited: true, pauseUntil: Math.max(resetAt, t), ...budget };
    strikes += 1;
    return { limited: true, pauseUntil: t + backoffDelay(strikes, secondaryBackoff, random), ...budget };
  };
}

export function createGithubClassify(
  fullName: string,
  hasToken: boolean,
): (res: SourceResponse<string>) => { code: SourceErrorCode; message?: string } | null {
  return (res) => {
    const said = githubMessage(res.body);
    const quoted = said ? `: ${said}` : '';
    switch (res.status) {
      case 401:
        return {
          code: 'SOURCE_AUTH_FAILED',
          message: `GitHub rejected the ${hasToken ? 'token' : 'anonymous request'} (401${quoted})`,
        };
      case 403:
        return { code: 'SOURCE_AUTH_FAILED', message: `GitHub refused access to ${fullName} (403${quoted})` };
      case 404: {
        const hint = hasToken
          ? 'if it is private, the token may lack access to it'
          : 'if it is private, a token with access to it is needed';
        return { code: 'SOURCE_NOT_FOUND', message: `GitHub repository ${fullName} not found (404); ${hint}` };
      }
      case 410:
        return { code: 'SOURCE_NOT_FOUND', message: `GitHub issues of ${fullName} are gone (410${quoted})` };
      default:
        return null;
    }
  };
}
