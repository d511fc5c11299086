/**
 * One attempt on the wire: undici request, body read in full, redirects followed by hand
 * (up to the policy's maxRedirects) so that every hop passes the SSRF guard again and credentials never follow a
 * redirect to another origin. Plain http goes through its own pool when private networks are
 * allowed, so it reaches only private hosts (CONTRACT §5: "http on an allowed private network").
 */
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { SourceError } from '../errors.js';
import { checkBaseUrl, createAllowListLookup, createPrivateOnlyLookup } from './ssrf.js';
import { AllowedHosts } from './allowed-hosts.js';
import type { ResolveAll } from './ssrf.js';
import { flattenHeaders, withoutCredentialHeaders } from './util.js';
import type { SourceResponse } from './types.js';
import { DEFAULT_POLICY } from '../policy.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface Transport {
  dispatcher: Dispatcher;
  /** For http: URLs when set (allowed mode: connects only where every DNS answer is private). */
  plainHttpDispatcher?: Dispatcher;
  /** false: every hop must pass the URL rules of checkBaseUrl (https, no internal literal or localhost name). */
  allowPrivate: boolean;
  /** SOURCE_ALLOWED_HOSTS: reachable even when private, without the allowance. */
  allowed: AllowedHosts;
}

/**
 * The connection pools for one factory. Without the allowance every DNS answer is checked at
 * connect; with it, https goes anywhere and plain http only to hosts whose answers are all private.
 */
export function createTransport(
  allowPrivate: boolean, resolveAll?: ResolveAll, maxHeaderSize = DEFAULT_POLICY.http.maxHeaderBytes, allowed = AllowedHosts.NONE,
): Transport {
  if (!allowPrivate) {
    return { dispatcher: new Agent({ maxHeaderSize, connect: { lookup: createAllowListLookup(allowed, resolveAll) } }), allowPrivate, allowed };
  }
  const plainHttpDispatcher = new Agent({ maxHeaderSize, connect: { lookup: createPrivateOnlyLookup(resolveAll) } });
  return { dispatcher: new Agent({ maxHeaderSize }), plainHttpDispatcher, allowPrivate, allowed };
}

/** URL-level rules for every hop: scheme, userinfo, literal IPs (which skip DNS) and localhost names. */
function guardUrl(t: Transport, source: string, url: URL): void {
  const check = checkBaseUrl(url.href, t.allowPrivate, t.allowed);
  if (!check.ok) {
    throw new SourceError('SOURCE_URL_FORBIDDEN', `${source} URL refused: ${check.message.replace(/^base_url /, '')}`);
  }
}

export interface SendArgs {
  source: string;
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
  maxBodyBytes: number;
  maxRedirects: number;
  /** Keep a 2xx body as bytes (attachment content) instead of decoding it as UTF-8. */
  binary?: boolean;
  /** Called once per request put on the wire (redirect hops included). */
  onSend: () => void;
}

/** A response as sent; `bytes` holds a 2xx body asked for as binary (`body` is then ''). */
export type SentResponse = SourceResponse<string> & { bytes?: Buffer };

export async function send(t: Transport, a: SendArgs): Promise<SentResponse> {
  let { method, url, headers, body } = a;
  for (let hop = 0; ; hop++) {
    guardUrl(t, a.source, url);
    a.onSend();
    const dispatcher = url.protocol === 'http:' ? (t.plainHttpDispatcher ?? t.dispatcher) : t.dispatcher;
    const res = await request(url, { method, headers, body, signal: a.signal, dispatcher });
    const location = res.headers['location'];
    if (!REDIRECT_STATUSES.has(res.statusCode) || typeof location !== 'string') {
      const bytes = await readBody(res.body, a.maxBodyBytes, a.source);
      const base = { status: res.statusCode, headers: flattenHeaders(res.headers), url: url.href };
      if (a.binary && res.statusCode >= 200 && res.statusCode < 300) return { ...base, body: '', bytes };
      return { ...base, body: bytes.toString('utf8') };
    }
    await res.body.dump();
    if (hop >= a.maxRedirects) {
      throw new SourceError('SOURCE_RESPONSE_INVALID', `${a.source} redirected more than ${a.maxRedirects} times`, res.statusCode);
    }
    const next = new URL(location, url);
    if (next.origin !== url.origin) headers = withoutCredentialHeaders(headers);
    // As browsers do: 303 always, and 301/302 after a POST, continue as a bodiless GET.
    if (res.statusCode === 303 || (method === 'POST' && (res.statusCode === 301 || res.statusCode === 302))) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    }
    url = next;
  }
}

/** The whole body, refusing to buffer more than `limit` bytes from a runaway source. */
async function readBody(stream: Dispatcher.ResponseData['body'], limit: number, source: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new SourceError('SOURCE_RESPONSE_INVALID', `${source} sent a response body over ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
