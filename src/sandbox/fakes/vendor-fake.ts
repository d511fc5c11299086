/**
 * What the four vendor fakes (Jira, ServiceNow, GitHub, GitLab) share: one way to drive them
 * (start, close, inject a fault, read the request log) and one fault vocabulary, so the
 * conformance suite runs the same cases against each. Every fake answers a common fault the way
 * its vendor documents it (the citations are at the top of each fake); vendor-only faults and
 * helpers stay on the fake that needs them.
 */
import type { IncomingMessage } from 'node:http';

/** One request as the fake received it. */
export interface FakeRequest {
  method: string;
  /** path without the query */
  path: string;
  query: URLSearchParams;
  /** path and query as sent */
  target: string;
  /** arrival, epoch ms */
  at: number;
  /** status answered; 0 while unanswered or when the connection was cut */
  status: number;
}

/** Which requests a fault hits: `times` of those matching both filters (default 1; Infinity: all). */
export interface Targeted<R extends FakeRequest = FakeRequest> {
  /** tested against the request's target (path and query) */
  match?: RegExp;
  when?: (r: R) => boolean;
  times?: number;
}

/**
 * Faults every fake knows:
 * - `status`: a server error (5xx) with the vendor's error body;
 * - `unauthorized`: the vendor's 401 for credentials it does not accept;
 * - `rate-limited`: the vendor's 429 with `Retry-After` seconds and its rate-limit headers;
 * - `truncate`: the answer cut half-way and the connection dropped; `slow`: the real answer, late;
 * - `loop`: the listing stops advancing: every later page request of the listing (or of `match`)
 *   gets the first answer again, so its next link, page token or keyset cursor repeats and the
 *   same records come back (persistent unless `times` says otherwise);
 * - `hostile`: one record (the first the fake holds) gets a field of about `bytes` (default 1 MB)
 *   of adversarial text, where that vendor's converters read it (description, ADF, Markdown body).
 */
export type CommonFault =
  | { kind: 'status'; status: number }
  | { kind: 'unauthorized' }
  | { kind: 'rate-limited'; retryAfterSec: number }
  | { kind: 'truncate' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'loop' }
  | { kind: 'hostile'; bytes?: number };

export interface VendorFake<F extends { kind: string } = never, R extends FakeRequest = FakeRequest> {
  /** Listens on 127.0.0.1 at `port` (default: a free one); resolves to the base_url a connector is given. */
  start(port?: number): Promise<string>;
  close(): Promise<void>;
  inject(fault: (CommonFault | F) & Targeted<R>): void;
  /** Every request received, in arrival order (tests may clear it). */
  requests: R[];
}

/** `await started(new JiraFake(…))`: starts a fake and hands it back. */
export async function started<T extends { start(): Promise<string> }>(fake: T): Promise<T> {
  await fake.start();
  return fake;
}

/** Requests whose target (path and query) matches. */
export function countRequests(fake: { requests: FakeRequest[] }, pattern: RegExp = /./): number {
  return fake.requests.filter((r) => pattern.test(r.target)).length;
}

/** The log entry for a request arriving now (status filled in when answered). */
export function logEntry(req: IncomingMessage): FakeRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return {
    method: req.method ?? 'GET', target, path: q < 0 ? target : target.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), at: Date.now(), status: 0,
  };
}

type Queued<F, R extends FakeRequest> = F & Targeted<R> & { left: number; replay?: unknown };

/** Injected faults in order; each request takes the first that targets it. */
export class FaultQueue<F extends { kind: string }, R extends FakeRequest> {
  private readonly faults: Queued<F, R>[] = [];

  /** `loop` faults without a target get `listing` (the fake's page requests); they last unless `times` is given. */
  constructor(private readonly listing: (r: R) => boolean) {}

  push(fault: F & Targeted<R>): void {
    const loop = fault.kind === 'loop';
    const when = loop && !fault.match && !fault.when ? this.listing : fault.when;
    this.faults.push({ ...fault, when, left: fault.times ?? (loop ? Infinity : 1) });
  }

  take(r: R): Queued<F, R> | null {
    const f = this.faults.find((x) => x.left > 0 && (!x.match || x.match.test(r.target)) && (!x.when || x.when(r)));
    if (f) f.left -= 1;
    return f ?? null;
  }

  clear(): void {
    this.faults.length = 0;
  }
}

/** A `loop` fault's answer: the first one computed, then the same again. */
export function replayed<T>(fault: { replay?: unknown }, answer: () => T): T {
  fault.replay ??= answer();
  return fault.replay as T;
}

/**
 * About `bytes` of text built from the inputs that make naive converters quadratic: long runs of
 * an unclosed `<p` or `<a` (tag sniffing and HTML stripping), of `‹` and `&` (entity handling), of
 * newlines (trailing-newline trims), of `[code]` without its end, of Markdown punctuation, each
 * run unbroken and long.
 */
export function adversarialText(bytes = 1_000_000): string {
  const run = Math.floor(bytes / 8);
  return [
    '<p'.repeat(run / 2), '<a'.repeat(run / 2), '‹'.repeat(run / 3), '&'.repeat(run),
    '\n'.repeat(run), '[code]'.repeat(run / 6), '*_`['.repeat(run / 4), 'x'.repeat(run),
  ].join(' ');
}
