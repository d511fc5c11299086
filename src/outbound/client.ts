/**
 * SourceHttp implementation: the retry loop around gated attempts. What a response means
 * (rate limit, retry, final error, body) is decided here; waiting and parallelism live in
 * the gate, the wire and redirects in the transport.
 */
import { SourceError } from '../errors.js';
import { backoffDelay, type HttpPolicy } from '../policy.js';
import type { SourceErrorCode } from '../errors.js';
import { AccountGate } from './account-gate.js';
import type { GateRegistry } from './gate-registry.js';
import { send, type SentResponse } from './transport.js';
import type { Transport } from './transport.js';
import {
  credentialValues,
  describeFault,
  describeRequest,
  networkFaultName,
  parseRetryAfter,
  redactValues,
  resolveUrl,
  sleep,
  unsendableCredentialHeader,
  withoutCredentialHeaders,
} from './util.js';
import { findForbiddenAddressError } from './ssrf.js';
import type {
  AttemptOutcome, RateLimitSignal, RequestOptions, RetryReason, SourceHttp, SourceHttpOptions, SourceRequestObserver, SourceResponse,
} from './types.js';

/** Thrown into an attempt's signal when its own timeout fires (a network fault, retried). */
class AttemptTimeout extends Error {}

/** Default reading: Retry-After on 429 and 503. */
export function defaultRateLimit(res: SourceResponse<string>): RateLimitSignal | null {
  if (res.status !== 429 && res.status !== 503) return null;
  const until = parseRetryAfter(res.headers['retry-after']);
  if (until === null) return res.status === 429 ? { limited: true } : null;
  return { limited: true, pauseUntil: until };
}

function defaultCode(status: number): SourceErrorCode {
  if (status === 401 || status === 403) return 'SOURCE_AUTH_FAILED';
  if (status === 404 || status === 410) return 'SOURCE_NOT_FOUND';
  return 'SOURCE_RESPONSE_INVALID';
}

const isRetryableStatus = (status: number): boolean => status >= 500 || status === 408;

export class SourceHttpClient implements SourceHttp {
  private sent = 0;
  private readonly o: HttpPolicy & SourceHttpOptions;
  private readonly base: URL;
  private readonly gate: AccountGate;

  constructor(
    opts: SourceHttpOptions,
    private readonly transport: Transport,
    policy: HttpPolicy,
    gates?: GateRegistry,
    private readonly observer?: SourceRequestObserver,
  ) {
    this.o = { ...policy, ...stripUndefined(opts), source: opts.source, baseUrl: opts.baseUrl };
    const base = URL.canParse(opts.baseUrl) ? new URL(opts.baseUrl) : null;
    if (base === null) throw new SourceError('SOURCE_URL_FORBIDDEN', `${opts.source} base URL is not an absolute http(s) URL`);
    this.base = base;
    const gateOptions = {
      source: opts.source,
      concurrency: this.o.concurrency,
      reserve: this.o.reserve,
      maxWaitMs: this.o.maxWaitMs,
      handOffWaitMs: this.o.handOffWaitMs,
    };
    const identity = [base.origin, Object.entries(opts.headers ?? {}).sort()];
    this.gate = gates ? gates.get(identity, gateOptions) : new AccountGate(gateOptions);
  }

  get requestCount(): number {
    return this.sent;
  }

  get<T = unknown>(pathOrUrl: string, opts?: RequestOptions): Promise<SourceResponse<T>> {
    return this.request<T>('GET', pathOrUrl, opts);
  }

  post<T = unknown>(pathOrUrl: string, json: unknown, opts?: RequestOptions): Promise<SourceResponse<T>> {
    return this.request<T>('POST', pathOrUrl, { ...opts, json });
  }

  async request<T = unknown>(method: 'GET' | 'POST', pathOrUrl: string, ro: RequestOptions = {}): Promise<SourceResponse<T>> {
    const { source } = this.o;
    const signal = ro.signal;
    if (signal?.aborted) throw signal.reason;
    let url: URL;
    try {
      url = resolveUrl(this.base, pathOrUrl, ro.query);
    } catch {
      // The TypeError of `new URL` carries the input, which may hold a secret: never pass it on.
      throw new SourceError('SOURCE_RESPONSE_INVALID', `${source} request URL does not parse (${method})`);
    }
    const what = describeRequest(method, url);
    const own = lowerKeys(this.o.headers ?? {});
    const headers: Record<string, string> = {
      'user-agent': 'integration-service',
      ...(ro.responseType === undefined || ro.responseType === 'json' ? { accept: 'application/json' } : {}),
      // An absolute URL (e.g. from a Link header) on another origin never gets the source's credentials.
      ...(url.origin === this.base.origin ? own : withoutCredentialHeaders(own)),
      ...lowerKeys(ro.headers ?? {}),
    };
    // A pasted line break (or a crafted CR/LF) would be refused by undici on every retry; say what is wrong instead.
    const unsendable = unsendableCredentialHeader(headers);
    if (unsendable !== null) {
      throw new SourceError('SOURCE_AUTH_FAILED', `${source} credentials cannot be sent: the ${unsendable} header holds a line break or another character HTTP does not allow`);
    }
    let body: string | undefined;
    if (ro.json !== undefined) {
      body = JSON.stringify(ro.json);
      headers['content-type'] ??= 'application/json';
    }

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(method, url, headers, body, signal, ro);
      const exhausted = attempt > this.o.retries;
      if ('fault' in outcome) {
        this.count(exhausted ? 'error' : 'retry');
        if (exhausted) {
          throw new SourceError('SOURCE_UNAVAILABLE', `${source} unavailable: ${outcome.fault} after ${attempt} attempts (${what})`);
        }
        const why = outcome.fault.startsWith('timeout') ? 'timeout' : 'network';
        const summary = describeFault(outcome.fault, url.hostname);
        await this.retryAfter(attempt, why, `${outcome.fault} (${what})`, summary, backoffDelay(attempt, this.o.backoff), signal);
        continue;
      }
      const { res, rl } = outcome;
      if (rl?.limited) {
        this.count('rate_limited');
        if (exhausted) {
          throw new SourceError('SOURCE_RATE_LIMITED', `${source} still rate-limits after ${attempt} attempts: HTTP ${res.status} for ${what}`, res.status);
        }
        const wait = (rl.pauseUntil ?? 0) - Date.now();
        if (wait > this.o.maxWaitMs) {
          throw new SourceError(
            'SOURCE_RATE_LIMITED',
            `${source} answered HTTP ${res.status} asking to wait ${Math.ceil(wait / 1000)} s, over the ${Math.round(this.o.maxWaitMs / 1000)} s allowed (${what})`,
            res.status,
          );
        }
        // No hint at all: back off account-wide, as the source is throttling the account, not this request.
        const backoff = rl.pauseUntil === undefined ? backoffDelay(attempt, this.o.backoff) : Math.max(0, wait);
        if (rl.pauseUntil === undefined) this.gate.pause(Date.now() + backoff);
        this.notify(attempt, 'rate_limited', `rate limited: HTTP ${res.status} (${what})`, `rate limited: HTTP ${res.status}`, backoff);
        continue; // the gate holds the next attempt (and every other request) until the pause ends
      }
      if ((res.status >= 200 && res.status < 300) || ro.allowStatus?.includes(res.status)) {
        let parsed: T;
        try {
          parsed = this.parse<T>(res, ro, what);
        } catch (err) {
          this.count('error');
          throw err;
        }
        this.count('ok');
        return { status: res.status, headers: res.headers, url: res.url, body: parsed };
      }
      const retryable = isRetryableStatus(res.status);
      const custom = this.o.classify?.(res) ?? null;
      this.count(!custom && retryable && !exhausted ? 'retry' : 'error');
      if (custom) {
        // A vendor message may quote the response body, and a source may echo the credentials it got.
        const message = custom.message === undefined ? `${source} answered HTTP ${res.status} for ${what}` : redactValues(custom.message, credentialValues(headers));
        throw new SourceError(custom.code, message, res.status);
      }
      if (retryable) {
        if (exhausted) {
          throw new SourceError('SOURCE_UNAVAILABLE', `${source} unavailable: HTTP ${res.status} after ${attempt} attempts (${what})`, res.status);
        }
        await this.retryAfter(attempt, 'server_error', `HTTP ${res.status} (${what})`, `${source} answered HTTP ${res.status}`, backoffDelay(attempt, this.o.backoff), signal);
        continue;
      }
      throw new SourceError(defaultCode(res.status), `${source} answered HTTP ${res.status} for ${what}`, res.status);
    }
  }

  /** Counted only for a client labelled with its source type (completion callbacks are not). */
  private count(outcome: AttemptOutcome): void {
    if (this.o.sourceType !== undefined) this.observer?.attempt(this.o.sourceType, outcome);
  }

  private notify(attempt: number, why: RetryReason, reason: string, summary: string, waitMs: number | null): void {
    if (this.o.sourceType !== undefined) this.observer?.retry(this.o.sourceType, why);
    this.o.onRetry?.({ source: this.o.source, attempt, attempts: this.o.retries + 1, reason, summary, why, wait_ms: waitMs === null ? null : Math.round(waitMs) });
  }

  private async retryAfter(
    attempt: number, why: RetryReason, reason: string, summary: string, waitMs: number, signal: AbortSignal | undefined,
  ): Promise<void> {
    this.notify(attempt, why, reason, summary, waitMs);
    await sleep(waitMs, signal);
  }

  /** One gated attempt: a response (with its rate-limit reading applied to the gate) or a network fault. */
  private async attempt(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    ro: RequestOptions,
  ): Promise<{ res: SentResponse; rl: RateLimitSignal | null } | { fault: string }> {
    // A wait the gate hands off or refuses sends nothing: it is not an attempt (nor counted as one).
    const onWait = this.o.onWait;
    await this.gate.acquire(signal, onWait && ((until) => onWait({ source: this.o.source, until })));
    let res: SentResponse;
    try {
      res = await this.sendWithTimeout(method, url, headers, body, signal, ro);
    } catch (err) {
      this.gate.release();
      if (signal?.aborted) throw signal.reason;
      const outcome = this.failedSend(err, method, url);
      if ('fault' in outcome) return outcome;
      this.count('error');
      throw outcome.error;
    }
    // The reading reaches the gate before the slot is released, so no queued request slips past a new pause.
    try {
      const rl = this.readRateLimit(res);
      this.gate.update(rl);
      return { res, rl };
    } finally {
      this.gate.release();
    }
  }

  /** A send that threw: a passing fault to retry, or the final error. */
  private failedSend(err: unknown, method: 'GET' | 'POST', url: URL): { fault: string } | { error: unknown } {
    if (err instanceof SourceError) return { error: err };
    const forbidden = findForbiddenAddressError(err);
    if (forbidden) return { error: new SourceError('SOURCE_URL_FORBIDDEN', `${this.o.source} host ${url.hostname} ${forbidden.reason}`) };
    if (err instanceof AttemptTimeout) return { fault: `timeout (${this.o.timeoutMs} ms)` };
    const fault = networkFaultName(err);
    // A certificate or TLS handshake problem is configuration, not a passing fault: retrying cannot fix it.
    if (/CERT|TLS|SSL/.test(fault)) {
      return { error: new SourceError('SOURCE_UNAVAILABLE', `${this.o.source} unavailable: TLS failure ${fault} (${describeRequest(method, url)})`) };
    }
    return { fault };
  }

  /** Rejects with AttemptTimeout when the attempt's own timer fires. */
  private async sendWithTimeout(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    ro: RequestOptions,
  ): Promise<SentResponse> {
    // One controller per attempt, linked by hand: AbortSignal.any on a job-long signal accumulates.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new AttemptTimeout('timeout')), this.o.timeoutMs);
    const onAbort = (): void => ac.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await send(this.transport, {
        source: this.o.source,
        method,
        url,
        headers,
        body,
        signal: ac.signal,
        maxBodyBytes: ro.maxBytes ?? this.o.maxBodyBytes,
        binary: ro.responseType === 'bytes',
        maxRedirects: this.o.maxRedirects,
        onSend: () => this.sent++,
      });
    } catch (err) {
      throw ac.signal.reason instanceof AttemptTimeout && !signal?.aborted ? ac.signal.reason : err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Vendor reading first; a 429 is a rate limit whatever the vendor hook says. */
  private readRateLimit(res: SourceResponse<string>): RateLimitSignal | null {
    const rl = this.o.rateLimit ? this.o.rateLimit(res) : defaultRateLimit(res);
    if (res.status !== 429 || rl?.limited) return rl;
    return { ...defaultRateLimit(res), ...rl, limited: true };
  }

  private parse<T>(res: SentResponse, ro: RequestOptions, what: string): T {
    if (ro.responseType === 'text') return res.body as T;
    if (ro.responseType === 'bytes') return (res.bytes ?? Buffer.from(res.body, 'utf8')) as T;
    if (res.status === 204 || res.status === 205) return null as T;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      if (res.status < 200 || res.status >= 300) return res.body as T; // allowStatus bodies need not be JSON
      throw new SourceError('SOURCE_RESPONSE_INVALID', `${this.o.source} answered HTTP ${res.status} with a body that is not valid JSON for ${what}`, res.status);
    }
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
