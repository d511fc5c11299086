/**
 * How Jira says "wait" and "not found".
 *
 * Rate limits (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/): a 429 (or a
 * 503) "may be accompanied by" Retry-After (seconds) and X-RateLimit-Reset, an ISO-8601 time
 * such as `2024-01-01T10:00Z` (not epoch seconds); neither is guaranteed (JRACLOUD-83791), in
 * which case the HTTP layer backs off. X-RateLimit-Remaining with a reset time is a budget.
 *
 * Errors have the body `{"errorMessages":[…],"errors":{…}}` (a refused JQL: `"warningMessages":[]`
 * instead of `errors`). A JQL naming a project that does not exist (or that the user cannot
 * browse) is a 400 "The value 'XYZ' does not exist for the field 'project'.", which the contract
 * calls SOURCE_NOT_FOUND. Other 400s are the JQL being refused.
 *
 * Failed credentials: Jira's login filter (Seraph) marks the response `X-Seraph-LoginReason:
 * AUTHENTICATED_FAILED` (AUTHENTICATION_DENIED once a CAPTCHA locks the account). That is not
 * always a 401: the request may be served as anonymous — a 200 with whatever anonymous users may
 * see (ServiceNow KB2942093 reports exactly that for Jira Cloud), or the 400 "does not exist" for
 * a project they may not. Either would pass for a smaller or missing project, so the header wins.
 */
import { SourceError, type SourceErrorCode } from '../../errors.js';
import { parseRetryAfter } from '../../outbound/util.js';
import type { RateLimitSignal, RequestOptions, SourceHttp, SourceResponse } from '../../outbound/types.js';

function loginFailed(res: SourceResponse<unknown>): string | null {
  const reason = res.headers['x-seraph-loginreason'];
  return reason !== undefined && /AUTHENTICATED_FAILED|AUTHENTICATION_DENIED/i.test(reason) ? reason : null;
}

function authError(status: number, reason: string): { code: SourceErrorCode; message: string } {
  return { code: 'SOURCE_AUTH_FAILED', message: `Jira refused the credentials (HTTP ${status}, X-Seraph-LoginReason: ${reason.slice(0, 40)})` };
}

/** The SourceHttp with one more rule: an answer marked as a failed login fails, whatever its status. */
export function rejectingFailedLogins(http: SourceHttp): SourceHttp {
  const checked = async <T>(res: Promise<SourceResponse<T>>): Promise<SourceResponse<T>> => {
    const r = await res;
    const reason = loginFailed(r);
    if (reason !== null) {
      const e = authError(r.status, reason);
      throw new SourceError(e.code, e.message, r.status);
    }
    return r;
  };
  return {
    request: <T>(method: 'GET' | 'POST', path: string, opts?: RequestOptions) => checked(http.request<T>(method, path, opts)),
    get: <T>(path: string, opts?: RequestOptions) => checked(http.get<T>(path, opts)),
    post: <T>(path: string, json: unknown, opts?: RequestOptions) => checked(http.post<T>(path, json, opts)),
    get requestCount() {
      return http.requestCount;
    },
  };
}

function resetTime(header: string | undefined): number | null {
  if (header === undefined) return null;
  const t = Date.parse(header.trim());
  return Number.isNaN(t) ? null : t;
}

export function rateLimit(res: SourceResponse<string>, now = Date.now()): RateLimitSignal | null {
  const reset = resetTime(res.headers['x-ratelimit-reset']);
  if (res.status === 429 || res.status === 503) {
    const until = parseRetryAfter(res.headers['retry-after'], now) ?? (reset === null ? null : Math.max(reset, now));
    if (until !== null) return { limited: true, pauseUntil: until };
    return res.status === 429 ? { limited: true } : null; // a bare 503 is an outage: retried with backoff
  }
  const remaining = Number(res.headers['x-ratelimit-remaining']);
  if (reset !== null && res.headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) {
    return { limited: false, remaining, resetAt: reset };
  }
  return null;
}

/** The `errorMessages` and `errors` values of a Jira error body, as one line. */
export function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errorMessages?: unknown; errors?: unknown };
    const messages = Array.isArray(parsed.errorMessages) ? parsed.errorMessages : [];
    const errors = typeof parsed.errors === 'object' && parsed.errors !== null ? Object.values(parsed.errors) : [];
    return [...messages, ...errors].filter((m): m is string => typeof m === 'string').join(' ').slice(0, 300);
  } catch {
    return '';
  }
}

export function classify(res: SourceResponse<string>): { code: SourceErrorCode; message?: string } | null {
  const reason = loginFailed(res);
  if (reason !== null) return authError(res.status, reason);
  if (res.status !== 400) return null;
  const message = errorText(res.body);
  if (/does not exist for the field 'project'/i.test(message)) {
    return { code: 'SOURCE_NOT_FOUND', message: `Jira: ${message} (HTTP 400)` };
  }
  return { code: 'SOURCE_RESPONSE_INVALID', message: `Jira refused the search (HTTP 400)${message ? `: ${message}` : ''}` };
}
