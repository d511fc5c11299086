/**
 * The one HTTP layer every connector uses to talk to its source: the interface, and the
 * factory (implementation in http-client.ts, http-gate.ts, http-transport.ts, ssrf.ts).
 *
 * Guarantees: per-request timeout; the caller's AbortSignal stops waits and requests;
 * 5xx and network errors retried (>= 5 times, capped exponential backoff with jitter)
 * then SOURCE_UNAVAILABLE; 429/503 and vendor rate-limit signals wait as the vendor says
 * and, while waiting, no request at all goes to that host; a wait over `maxWaitMs`
 * fails with SOURCE_RATE_LIMITED; the remaining budget is respected before a 429 happens;
 * bounded parallelism per host; SSRF guard at connect time (every DNS answer checked,
 * redirects re-checked) unless private networks are allowed — and even then plain http only
 * reaches hosts whose every answer is private; errors name the source and
 * HTTP status and never carry a credential (headers and URL userinfo/query secrets redacted).
 */
import type { SourceErrorCode } from '../errors.js';
import { SourceHttpClient } from './http-client.js';
import { GateRegistry } from './http-gates.js';
import { createTransport } from './http-transport.js';
import type { Transport } from './http-transport.js';

export { parseRetryAfter } from './http-util.js';

export interface SourceResponse<T = unknown> {
  status: number;
  /** lower-case header names */
  headers: Record<string, string>;
  body: T;
  /** final URL after redirects */
  url: string;
}

/** What a vendor's response says about waiting. */
export interface RateLimitSignal {
  /** Absolute time (epoch ms) before which no request may go to this host. */
  pauseUntil?: number;
  /** True when this response itself was refused for rate limiting and must be retried after the pause. */
  limited: boolean;
  /**
   * Budget the source reports (e.g. x-ratelimit-remaining) valid until `resetAt` (epoch ms). The layer
   * counts requests in flight against it and, once `remaining - inFlight <= reserve`, sends nothing
   * more to this host until `resetAt` — so the source's limit is approached but not hit.
   */
  remaining?: number;
  resetAt?: number;
}

export interface SourceHttpOptions {
  /** Vendor name used in error messages: "Jira", "ServiceNow", "GitHub", "GitLab". */
  source: string;
  /** Base URL; relative paths given to request() are resolved against it. */
  baseUrl: string;
  /** Sent with every request (auth headers included); values never appear in errors or logs. */
  headers?: Record<string, string>;
  /** Max requests in flight to this host (default 4). */
  concurrency?: number;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Retries for 5xx / network errors (default 5). */
  retries?: number;
  /** Base backoff delay (default 500 ms), capped at `maxBackoffMs` (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A single wait longer than this fails with SOURCE_RATE_LIMITED (default 15 min). */
  maxWaitMs?: number;
  /**
   * A wait longer than this (and within maxWaitMs) rejects with SourceWaitError instead of sleeping,
   * so the job runner can hand the job back to the queue until then (default: always sleep).
   */
  handOffWaitMs?: number;
  /** A response body larger than this fails with SOURCE_RESPONSE_INVALID (default 64 MiB). */
  maxBodyBytes?: number;
  /** Requests of the budget kept unused (default 1). */
  reserve?: number;
  /** Vendor reading of rate-limit headers on every response (default: Retry-After on 429/503). */
  rateLimit?: (res: SourceResponse<string>) => RateLimitSignal | null;
  /**
   * Vendor mapping of a non-2xx final response to a contract code, e.g. Jira's 400 for an
   * unknown project → SOURCE_NOT_FOUND. Return null for the default mapping
   * (401/403 → AUTH_FAILED, 404/410 → NOT_FOUND, other 4xx → RESPONSE_INVALID).
   */
  classify?: (res: SourceResponse<string>) => { code: SourceErrorCode; message?: string } | null;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body (sets content-type) */
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** 'json' (default): parse, SOURCE_RESPONSE_INVALID if unparseable; 'text': raw body */
  responseType?: 'json' | 'text';
  /** HTTP statuses returned to the caller instead of thrown (e.g. [404]). */
  allowStatus?: number[];
}

export interface SourceHttp {
  request<T = unknown>(method: 'GET' | 'POST', pathOrUrl: string, opts?: RequestOptions): Promise<SourceResponse<T>>;
  get<T = unknown>(pathOrUrl: string, opts?: RequestOptions): Promise<SourceResponse<T>>;
  post<T = unknown>(pathOrUrl: string, json: unknown, opts?: RequestOptions): Promise<SourceResponse<T>>;
  /** Requests sent so far (attempts included), for benchmarks and tests. */
  readonly requestCount: number;
}

export type SourceHttpFactory = (opts: SourceHttpOptions) => SourceHttp;

export interface SourceHttpGlobals {
  allowPrivateNetworks: boolean;
  /** Default `handOffWaitMs` of every SourceHttp the factory makes. */
  handOffWaitMs?: number;
}

/**
 * One connection pool (and SSRF policy) shared by every SourceHttp the factory makes, and one gate
 * per source + credentials + settings, so concurrent jobs against one account share its budget.
 */
export function createSourceHttpFactory(globals: SourceHttpGlobals): SourceHttpFactory {
  const transport = createTransport(globals.allowPrivateNetworks);
  const gates = new GateRegistry();
  return (opts) => createSourceHttp({ handOffWaitMs: globals.handOffWaitMs, ...opts }, transport, gates);
}

/** The factory's building block; tests pass a transport with their own DNS answers. */
export function createSourceHttp(opts: SourceHttpOptions, transport: Transport, gates?: GateRegistry): SourceHttp {
  return new SourceHttpClient(opts, transport, gates);
}
