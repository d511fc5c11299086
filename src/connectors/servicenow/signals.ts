/**
 * How ServiceNow says "wait" and "not found".
 *
 * Rate limits (ServiceNowDocs `api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.md`):
 * a denied request is 429 with `Retry-After` (seconds) plus `X-RateLimit-Limit` (per hour),
 * `X-RateLimit-Reset` (Unix time, SECONDS) and `X-RateLimit-Rule`. No remaining-budget header
 * exists, so only the 429 itself can pause the host. A 503 with Retry-After waits likewise.
 *
 * Errors have the body `{"error":{"message","detail"},"status":"failure"}`; an unknown table is
 * a 400 "Invalid table <name>", which the contract calls SOURCE_NOT_FOUND. A 401 carrying
 * `X-MFA_TOKEN` means the account needs multi-factor authentication, which Basic auth cannot do.
 */
import type { SourceErrorCode } from '../../errors.js';
import type { RateLimitSignal, SourceResponse } from '../../outbound/types.js';

function retryAfterMs(header: string | undefined, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function rateLimit(res: SourceResponse<string>, now = Date.now()): RateLimitSignal | null {
  if (res.status !== 429 && res.status !== 503) return null;
  const wait = retryAfterMs(res.headers['retry-after'], now);
  if (wait !== null) return { limited: true, pauseUntil: now + wait };
  if (res.status === 503) return null; // a plain 503 is an outage: retried with backoff
  const reset = Number(res.headers['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? { limited: true, pauseUntil: reset * 1000 } : { limited: true };
}

function errorMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' ? parsed.error.message : null;
  } catch {
    return null;
  }
}

export function classify(res: SourceResponse<string>): { code: SourceErrorCode; message?: string } | null {
  if (res.status === 400) {
    const message = errorMessage(res.body);
    if (message && /^invalid table\b/i.test(message)) {
      return { code: 'SOURCE_NOT_FOUND', message: `ServiceNow: ${message.slice(0, 200)} (HTTP 400)` };
    }
  }
  if (res.status === 401 && res.headers['x-mfa_token'] !== undefined) {
    return {
      code: 'SOURCE_AUTH_FAILED',
      message: 'ServiceNow refused the credentials: the account requires multi-factor authentication (HTTP 401, X-MFA_TOKEN); use an OAuth access_token',
    };
  }
  return null;
}
