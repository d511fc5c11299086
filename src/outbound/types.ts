/**
 * The types of the outbound HTTP layer, apart from its implementation so connectors, jobs and the
 * layer itself import them without importing one another.
 */
import type { AllowedHosts } from './allowed-hosts.js';
import type { SharedBudget } from './shared-budget.js';
import type { SourceErrorCode } from '../errors.js';
import type { HttpPolicy, Policy } from '../policy.js';

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
  /** Absolute time (epoch ms) before which no request may go to this account (AccountGate). */
  pauseUntil?: number;
  /** True when this response itself was refused for rate limiting and must be retried after the pause. */
  limited: boolean;
  /**
   * Budget the source reports (e.g. x-ratelimit-remaining) valid until `resetAt` (epoch ms). The layer
   * counts requests in flight against it and, once `remaining - inFlight <= reserve`, sends nothing
   * more to this account until `resetAt` — so the source's limit is approached but not hit.
   */
  remaining?: number;
  resetAt?: number;
}

/** A client's own settings; every HttpPolicy value it leaves out comes from the factory's policy. */
export interface SourceHttpOptions extends Partial<HttpPolicy> {
  /** Vendor name used in error messages: "Jira", "ServiceNow", "GitHub", "GitLab". */
  source: string;
  /** Base URL; relative paths given to request() are resolved against it. */
  baseUrl: string;
  /** Sent with every request (auth headers included); values never appear in errors or logs. */
  headers?: Record<string, string>;
  /** Vendor reading of rate-limit headers on every response (default: Retry-After on 429/503). */
  rateLimit?: (res: SourceResponse<string>) => RateLimitSignal | null;
  /**
   * Vendor mapping of a non-2xx final response to a contract code, e.g. Jira's 400 for an
   * unknown project → SOURCE_NOT_FOUND. Return null for the default mapping
   * (401/403 → AUTH_FAILED, 404/410 → NOT_FOUND, other 4xx → RESPONSE_INVALID).
   */
  classify?: (res: SourceResponse<string>) => { code: SourceErrorCode; message?: string } | null;
  /** Told of every retry and wait before it happens (for the job's log); never given a credential. */
  onRetry?: (retry: RetryNotice) => void;
  /** Told when a request is held for the account's rate limit (a pause or a spent budget), with its end (epoch ms). */
  onWait?: (wait: { source: string; until: number }) => void;
  /**
   * The metrics label of this client's requests: a SourceType (a fixed set, never a URL or a
   * tenant). Unset (completion callbacks): the requests are not counted as source requests.
   */
  sourceType?: string;
}

/** What one attempt came to: a response taken, a retry coming, a rate limit, or the final error. */
export type AttemptOutcome = 'ok' | 'retry' | 'rate_limited' | 'error';
/** Why a request is retried, in a fixed set of label values. */
export type RetryReason = 'rate_limited' | 'server_error' | 'timeout' | 'network';

/** Told of every attempt of a labelled client (for metrics); label values come from fixed sets only. */
export interface SourceRequestObserver {
  attempt(sourceType: string, outcome: AttemptOutcome): void;
  retry(sourceType: string, reason: RetryReason): void;
}

export interface RetryNotice {
  source: string;
  /** The attempt that failed (1-based) and how many are allowed in all. */
  attempt: number;
  attempts: number;
  /** Why: an HTTP status, a network fault, or the source's rate limit (with the request, for the log). */
  reason: string;
  /** The same in plain words for a person, without the request: "cannot resolve api.github.com", "HTTP 503". */
  summary: string;
  why: RetryReason;
  /** How long until the next attempt, when known. */
  wait_ms: number | null;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body (sets content-type) */
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * 'json' (default): parse, SOURCE_RESPONSE_INVALID if unparseable; 'text': raw body; 'bytes': a
   * 2xx body as a Buffer (attachment content), held whole, so `maxBytes` bounds it.
   */
  responseType?: 'json' | 'text' | 'bytes';
  /** Refuse a body over this many bytes (SOURCE_RESPONSE_INVALID); default the policy's maxBodyBytes. */
  maxBytes?: number;
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
  /** SOURCE_ALLOWED_HOSTS (default none). */
  allowedHosts?: AllowedHosts;
  policy: Pick<Policy, 'http' | 'maxAccountGates'>;
  /** counts the attempts of clients given a `sourceType` */
  observer?: SourceRequestObserver;
  /** The deployment-wide budget per account in Redis; without it each process keeps its own (tests, benchmarks). */
  sharedBudget?: SharedBudget;
}
