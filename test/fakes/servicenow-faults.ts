/**
 * Fault injection for the fake ServiceNow instance. Rate-limit answers follow ServiceNowDocs
 * `api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.md` (429, Retry-After in
 * seconds, X-RateLimit-Limit per hour, X-RateLimit-Reset in Unix SECONDS, X-RateLimit-Rule,
 * the documented error body). `hibernating` is the HTML page a sleeping developer instance
 * serves with status 200 instead of JSON.
 */
import type { ServerResponse } from 'node:http';
import type { LoggedRequest } from './servicenow.js';

export interface Fault {
  kind: '429' | '500' | '503' | 'truncate' | 'reset' | 'slow' | 'hibernating';
  /** how many matching requests get it (default 1) */
  times?: number;
  /** which requests (default: any) */
  when?: (req: LoggedRequest) => boolean;
  /** 429/503: Retry-After seconds (omit for none) */
  retryAfter?: number;
  /** 429: X-RateLimit-Reset as Unix seconds (default now + retryAfter) */
  resetAt?: number;
  /** slow: delay before the normal answer is sent */
  delayMs?: number;
}

/** Takes the first fault matching this request, consuming one of its `times`. */
export function takeFault(faults: Fault[], req: LoggedRequest): Fault | null {
  const i = faults.findIndex((f) => !f.when || f.when(req));
  if (i < 0) return null;
  const f = faults[i]!;
  f.times = (f.times ?? 1) - 1;
  if (f.times <= 0) faults.splice(i, 1);
  return f;
}

const json = (message: string, detail: string | null): string => JSON.stringify({ error: { message, detail }, status: 'failure' });

/** Writes the fault's answer (a `slow` fault only delays the normal answer: the server does that); returns the status sent (0 when the connection was cut). */
export function writeFault(res: ServerResponse, kind: Exclude<Fault['kind'], 'slow'>, f: Fault): number {
  switch (kind) {
    case '429': {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'X-RateLimit-Limit': '100',
        'X-RateLimit-Reset': String(f.resetAt ?? Math.ceil(Date.now() / 1000) + (f.retryAfter ?? 0)),
        'X-RateLimit-Rule': '0a8ae6f1db0f1010a6b1e4c0f3961931',
      };
      if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
      res.writeHead(429, headers).end(json('Rate limit exceeded', 'Rate limit of 100 requests per hour for Table API exceeded'));
      return 429;
    }
    case '500':
      res.writeHead(500, { 'content-type': 'application/json' }).end(json('Internal server error', null));
      return 500;
    case '503': {
      const headers: Record<string, string> = { 'content-type': 'text/html' };
      if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
      res.writeHead(503, headers).end('<html><body>Service Unavailable</body></html>');
      return 503;
    }
    case 'hibernating':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Your instance is hibernating</h1></body></html>');
      return 200;
    case 'truncate': {
      const body = JSON.stringify({ result: [{ sys_id: 'x'.repeat(32), number: 'INC' }] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.slice(0, 20));
      res.socket?.destroy();
      return 0;
    }
    case 'reset':
      res.socket?.destroy();
      return 0;
  }
}
