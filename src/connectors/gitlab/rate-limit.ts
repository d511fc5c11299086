/**
 * How GitLab says "slow down" (docs.gitlab.com/administration/settings/user_and_ip_rate_limits):
 * every response may carry RateLimit-Remaining and RateLimit-Reset (Unix seconds); a throttled
 * request is a 429 with Retry-After (seconds) and RateLimit-ResetTime (HTTP date) and a plain
 * text body, by default `Retry later`. Application limits can 429 with no headers at all.
 */
import type { RateLimitSignal, SourceResponse } from '../../outbound/types.js';

/** `fallbackWaitMs`: the wait when a 429 names no time at all. */
export function gitlabRateLimit(res: SourceResponse<string>, fallbackWaitMs: number, now = Date.now()): RateLimitSignal | null {
  const h = res.headers;
  const signal: RateLimitSignal = { limited: false };
  const remaining = intHeader(h['ratelimit-remaining']);
  const reset = intHeader(h['ratelimit-reset']);
  if (remaining !== undefined && reset !== undefined) {
    signal.remaining = remaining;
    signal.resetAt = reset * 1000;
  }
  if (res.status === 429 || (res.status === 503 && h['retry-after'] !== undefined)) {
    signal.limited = true;
    signal.pauseUntil = waitUntil(h, now) ?? signal.resetAt ?? now + fallbackWaitMs;
  }
  return signal.limited || signal.remaining !== undefined ? signal : null;
}

function waitUntil(h: Record<string, string>, now: number): number | undefined {
  const retryAfter = h['retry-after']?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return now + Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return at;
  }
  const resetTime = h['ratelimit-resettime'];
  if (resetTime) {
    const at = Date.parse(resetTime);
    if (!Number.isNaN(at)) return at;
  }
  return undefined;
}

function intHeader(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
