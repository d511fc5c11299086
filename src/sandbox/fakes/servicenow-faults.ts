/**
 * Fault answers of the fake ServiceNow instance. Rate-limit answers follow ServiceNowDocs
 * `api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.md` (429, Retry-After in
 * seconds, X-RateLimit-Limit per hour, X-RateLimit-Reset in Unix SECONDS, X-RateLimit-Rule,
 * the documented error body); the 401 and 500 bodies follow `r_RESTAPIHTTPResponseCodes.md`'s
 * error shape. `hibernating` is the HTML page a sleeping developer instance serves with status
 * 200 instead of JSON.
 */
import type { ServerResponse } from 'node:http';
import type { CommonFault, Targeted } from './vendor-fake.js';
import type { SnRequest } from './servicenow.js';

/** ServiceNow-only faults, beside the common ones of vendor-fake.ts. */
export type SnOnlyFault =
  /** 503 page, with Retry-After seconds when given */
  | { kind: '503'; retryAfter?: number }
  /** 429 telling when the hourly budget is back (X-RateLimit-Reset, Unix seconds) but no Retry-After */
  | { kind: 'limit-reset'; resetAt: number }
  /** the connection dropped before any answer */
  | { kind: 'reset' }
  | { kind: 'hibernating' };

export type SnFault = (CommonFault | SnOnlyFault) & Targeted<SnRequest>;

export interface Reply {
  status: number;
  /** JSON text, or bytes (attachment content) */
  body: string | Buffer;
  headers: Record<string, string>;
}

export const errorBody = (message: string, detail: string | null): string => JSON.stringify({ error: { message, detail }, status: 'failure' });
const json = { 'content-type': 'application/json;charset=UTF-8' };

function limited(retryAfter: number | null, resetAt: number): Reply {
  const headers: Record<string, string> = {
    ...json, 'X-RateLimit-Limit': '100', 'X-RateLimit-Reset': String(resetAt), 'X-RateLimit-Rule': '0a8ae6f1db0f1010a6b1e4c0f3961931',
  };
  if (retryAfter !== null) headers['Retry-After'] = String(retryAfter);
  return { status: 429, headers, body: errorBody('Rate limit exceeded', 'Rate limit of 100 requests per hour for Table API exceeded') };
}

/** The answer that replaces the real one; null when the real answer goes out (late, cut, or looped by the server). */
export function faultReply(f: CommonFault | SnOnlyFault): Reply | null {
  switch (f.kind) {
    case 'rate-limited':
      return limited(f.retryAfterSec, Math.ceil(Date.now() / 1000) + f.retryAfterSec);
    case 'limit-reset':
      return limited(null, f.resetAt);
    case 'status':
      return { status: f.status, headers: json, body: errorBody('Internal server error', null) };
    case 'unauthorized':
      return { status: 401, headers: json, body: errorBody('User Not Authenticated', 'Required to provide Auth information') };
    case '503':
      return { status: 503, headers: { 'content-type': 'text/html', ...(f.retryAfter === undefined ? {} : { 'Retry-After': String(f.retryAfter) }) }, body: '<html><body>Service Unavailable</body></html>' };
    case 'hibernating':
      return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>Your instance is hibernating</h1></body></html>' };
    default:
      return null;
  }
}

/** Sends a reply, or cuts it: `truncate` sends half the body and drops the connection. Returns the status logged (0 when cut). */
export function send(res: ServerResponse, reply: Reply, cut: 'truncate' | 'reset' | null): number {
  if (cut === 'reset') {
    res.socket?.destroy();
    return 0;
  }
  if (cut === 'truncate') {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
    res.write(reply.body.slice(0, Math.floor(reply.body.length / 2)), () => res.socket?.destroy());
    return 0;
  }
  res.writeHead(reply.status, reply.headers).end(reply.body);
  return reply.status;
}
