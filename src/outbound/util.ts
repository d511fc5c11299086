/** Small pure helpers of the outbound HTTP layer: URLs, redaction, Retry-After, abortable sleep. */

/** Query parameters whose values are secrets and never appear in messages: by fragment, or by whole word. */
const SECRET_FRAGMENT = /token|passw|secret/i;
const SECRET_WORD = /^(key|apikey|sig|signature|auth|credentials?|session|sessionid|code)$/i;

export function isSecretParam(name: string): boolean {
  if (SECRET_FRAGMENT.test(name)) return true;
  // private_key, apiKey, X-Amz-Signature — but not assignee or author_id.
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').split(/[_.-]/).some((w) => SECRET_WORD.test(w));
}

/**
 * Resolves `pathOrUrl` against `base`, keeping the base's path prefix
 * (https://h/api/v3 + /repos/x → https://h/api/v3/repos/x); absolute URLs are used verbatim.
 */
export function resolveUrl(base: URL, pathOrUrl: string, query?: Record<string, string | number | boolean | undefined>): URL {
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) {
    url = new URL(pathOrUrl);
  } else {
    const prefix = base.pathname.replace(/\/+$/, '');
    const rel = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`;
    url = new URL(base.origin + prefix + rel);
  }
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) url.searchParams.append(k, String(v));
    }
  }
  return url;
}

/** "GET /repos/o/r/issues?access_token=REDACTED" — path and redacted query, no host, no userinfo. */
export function describeRequest(method: string, url: URL): string {
  const params = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${isSecretParam(k) ? 'REDACTED' : encodeURIComponent(v)}`);
  const q = params.length > 0 ? `?${params.join('&')}` : '';
  const full = `${method} ${url.pathname}${q}`;
  return full.length > 300 ? `${full.slice(0, 300)}…` : full;
}

/** Retry-After as an absolute epoch-ms time: delta-seconds or HTTP-date; null when absent/invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return now + Math.ceil(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(date, now);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Lower-cased single-valued header map (multi-valued headers joined with ", " as HTTP allows). */
export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Headers that carry credentials; dropped when a redirect leaves the origin. */
const CREDENTIAL_HEADER = /auth|cookie|token|secret|key|session|password/i;

export function withoutCredentialHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADER.test(k)));
}

/** A header field value as HTTP allows it (RFC 9110 §5.5): no CR, LF, NUL or other controls, no code point above 0xFF. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The name of the first credential header whose value cannot be sent as it is, or null. */
export function unsendableCredentialHeader(headers: Record<string, string>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (CREDENTIAL_HEADER.test(name) && !FIELD_VALUE.test(value)) return name;
  }
  return null;
}

/** Shorter pieces are not cut out of messages: they would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Every form in which a source could echo the credentials of these headers back in an error body:
 * the whole value, the token after its scheme, and for Basic the decoded `user:password` and the
 * password alone — each also URL-encoded. Longest first, so a longer form is cut before its parts.
 */
export function credentialValues(headers: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADER.test(name)) continue;
    const forms = [value, ...value.split(/\s+/)];
    const basic = /^basic\s+(\S+)$/i.exec(value.trim());
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      forms.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
    }
    for (const f of forms) {
      if (f.length < MIN_SECRET_LENGTH) continue;
      out.add(f);
      out.add(encodeURIComponent(f));
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each value replaced by REDACTED. */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) out = out.split(v).join('REDACTED');
  return out;
}

/** What a person needs to hear of a network fault code, naming the host: "cannot resolve api.github.com". */
export function describeFault(fault: string, host: string): string {
  if (fault.startsWith('timeout')) return `${host} did not answer in time`;
  switch (fault) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host}`;
    case 'ECONNREFUSED':
      return `${host} refused the connection`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return `the connection to ${host} was cut`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `cannot connect to ${host} (timed out)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `${host} is unreachable (${fault})`;
    default:
      return `network error reaching ${host} (${fault})`;
  }
}

/** A short, credential-free name for a network failure (codes only: messages may echo addresses). */
export function networkFaultName(err: unknown): string {
  for (let e: unknown = err, depth = 0; e != null && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return 'network error';
}
