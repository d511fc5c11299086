import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { createSourceHttpFactory } from '../../src/outbound/http.js';
import { parseRetryAfter } from '../../src/outbound/util.js';
import type { SourceHttpOptions, SourceResponse } from '../../src/outbound/types.js';
import { TEST_POLICY } from '../support/policy.js';

type Handler = (res: http.ServerResponse, n: number, url: string) => void;

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** Loopback server recording the arrival time of every request. */
async function serve(handler: Handler): Promise<{ base: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    arrivals.push(Date.now());
    handler(res, arrivals.length, req.url ?? '');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

const reply = (res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(status === 429 ? '{"message":"slow down"}' : '{}');
};

/** A server allowing `perWindow` requests per window, counting its budget down in headers; 429 when spent. */
async function budgetServer(perWindow: number, windowMs: number): Promise<{ base: string; refused: () => number }> {
  const counts = new Map<number, number>();
  let refused = 0;
  const { base } = await serve((res) => {
    const w = Math.floor(Date.now() / windowMs);
    const used = counts.get(w) ?? 0;
    const headers = { 'ratelimit-reset-ms': String((w + 1) * windowMs) };
    if (used >= perWindow) {
      refused++;
      return reply(res, 429, { ...headers, 'ratelimit-remaining': '0' });
    }
    counts.set(w, used + 1);
    setTimeout(() => reply(res, 200, { ...headers, 'ratelimit-remaining': String(perWindow - used - 1) }), Math.random() * 4);
  });
  return { base, refused: () => refused };
}

const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
const client = (base: string, extra: Partial<SourceHttpOptions> = {}) =>
  factory({ source: 'GitLab', baseUrl: base, ...extra });

async function caught(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
};

describe('source http: rate limits', () => {
  it('parses Retry-After as seconds or HTTP-date', () => {
    expect(parseRetryAfter('120', 1_000)).toBe(121_000);
    expect(parseRetryAfter('Wed, 21 Oct 2037 07:28:00 GMT', 0)).toBe(Date.UTC(2037, 9, 21, 7, 28));
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(undefined, 0)).toBeNull();
  });

  it('after a 429 with Retry-After, no request at all reaches the host until the pause ends', async () => {
    let pausedAt = 0;
    const { base, arrivals } = await serve((res, n) => {
      if (n === 1) {
        pausedAt = Date.now();
        return reply(res, 429, { 'retry-after': '0.08' });
      }
      reply(res, 200);
    });
    // The hook only tells the test when the 429 has been read (requests sent before that cannot be held back).
    let limitedSeen!: () => void;
    const seen = new Promise<void>((r) => (limitedSeen = r));
    const h = client(base, {
      rateLimit: (r) => {
        const pauseUntil = parseRetryAfter(r.headers['retry-after']);
        if (pauseUntil === null) return null;
        limitedSeen();
        return { limited: true, pauseUntil };
      },
    });
    const first = h.get('/a');
    await seen;
    await Promise.all([first, h.get('/b'), h.get('/c'), h.get('/d')]);
    expect(arrivals).toHaveLength(5);
    for (const t of arrivals.slice(1)) expect(t).toBeGreaterThanOrEqual(pausedAt + 80);
  });

  it('calls the vendor hook on every response and honours its pause (GitHub-style 403)', async () => {
    let pauseEnd = 0;
    const { base, arrivals } = await serve((res, n) => {
      if (n !== 2) return reply(res, 200, { 'x-ratelimit-remaining': '10' });
      pauseEnd = Date.now() + 40;
      reply(res, 403, { 'x-ratelimit-remaining': '0', 'x-reset-ms': String(pauseEnd) });
    });
    const seen: number[] = [];
    const rateLimit = (r: SourceResponse<string>) => {
      seen.push(r.status);
      return r.status === 403 && r.headers['x-ratelimit-remaining'] === '0'
        ? { limited: true, pauseUntil: Number(r.headers['x-reset-ms']) }
        : null;
    };
    const h = client(base, { rateLimit });
    await h.get('/1');
    await h.get('/2');
    expect(seen).toEqual([200, 403, 200]);
    expect(arrivals[2]).toBeGreaterThanOrEqual(pauseEnd);
  });

  it('a throwing vendor hook surfaces as is, not as a network fault to retry', async () => {
    const { base, arrivals } = await serve((res) => reply(res, 200));
    const h = client(base, { rateLimit: () => { throw new TypeError('hook bug'); } });
    await expect(h.get('/x')).rejects.toThrow(TypeError);
    expect(arrivals).toHaveLength(1);
    expect(h.requestCount).toBe(1);
  });

  it('a wait longer than maxWaitMs fails with SOURCE_RATE_LIMITED without waiting', async () => {
    const { base, arrivals } = await serve((res) => reply(res, 429, { 'retry-after': '3600' }));
    const err = await caught(client(base).get('/x'));
    expect(err.code).toBe('SOURCE_RATE_LIMITED');
    expect(err.message).toBe('GitLab answered HTTP 429 asking to wait 3600 s, over the 900 s allowed (GET /x)');
    expect(arrivals).toHaveLength(1);
    const date = new Date(Date.now() + 3_600_000).toUTCString();
    const { base: base2 } = await serve((res) => reply(res, 503, { 'retry-after': date }));
    expect((await caught(client(base2).get('/x'))).code).toBe('SOURCE_RATE_LIMITED');
  });

  it('a pause over maxWaitMs also fails every request queued behind it, sending none of them', async () => {
    const { base, arrivals } = await serve((res) => setTimeout(() => reply(res, 429, { 'retry-after': '3600' }), 5));
    const h = client(base, { concurrency: 1 });
    const results = await Promise.allSettled([h.get('/a'), h.get('/b'), h.get('/c')]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as SourceError).code)).toEqual([
      'SOURCE_RATE_LIMITED',
      'SOURCE_RATE_LIMITED',
      'SOURCE_RATE_LIMITED',
    ]);
    expect(arrivals).toHaveLength(1);
  });

  it('the caller abort takes a request out of the queue for a slot', async () => {
    const { base, arrivals } = await serve(() => undefined); // never answers
    const h = client(base, { concurrency: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const p1 = h.get('/a', { signal: first.signal });
    const p2 = h.get('/b', { signal: second.signal });
    await waitFor(() => arrivals.length === 1);
    second.abort(new Error('second cancelled'));
    await expect(p2).rejects.toThrow('second cancelled');
    first.abort(new Error('first cancelled'));
    await expect(p1).rejects.toThrow('first cancelled');
    expect(arrivals).toHaveLength(1);
  });

  it('a source that keeps answering 429 fails with SOURCE_RATE_LIMITED after the retry budget', async () => {
    const { base, arrivals } = await serve((res) => reply(res, 429, { 'retry-after': '0' }));
    const err = await caught(client(base, { retries: 3 }).get('/x'));
    expect(err.code).toBe('SOURCE_RATE_LIMITED');
    expect(err.message).toBe('GitLab still rate-limits after 4 attempts: HTTP 429 for GET /x');
    expect(arrivals).toHaveLength(4);
  });

  it('a 429 without any hint backs off host-wide before the next request', async () => {
    const { base, arrivals } = await serve((res, n) => reply(res, n === 1 ? 429 : 200));
    const h = client(base, { backoff: { baseMs: 40, maxMs: 40 } });
    await h.get('/x');
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(20); // jitter keeps at least half the delay
  });

  it('the caller abort ends a rate-limit wait at once', async () => {
    const { base, arrivals } = await serve((res) => reply(res, 429, { 'retry-after': '60' }));
    const ac = new AbortController();
    let answered!: () => void;
    const seen = new Promise<void>((r) => (answered = r));
    const rateLimit = (r: SourceResponse<string>) => (answered(), { limited: true, pauseUntil: parseRetryAfter(r.headers['retry-after'])! });
    // a wait the client sleeps (no hand-off), so only the abort can end it
    const p = client(base, { rateLimit, handOffWaitMs: Infinity }).get('/x', { signal: ac.signal });
    await seen;
    await new Promise((r) => setTimeout(r, 0)); // past the microtasks: now waiting at the gate
    ac.abort(new Error('job cancelled'));
    await expect(p).rejects.toThrow('job cancelled');
    expect(arrivals).toHaveLength(1);
  });

  it('a spent budget whose reset is beyond maxWaitMs fails fast with SOURCE_RATE_LIMITED', async () => {
    const { base, arrivals } = await serve((res) => reply(res, 200));
    const h = client(base, { rateLimit: () => ({ limited: false, remaining: 1, resetAt: Date.now() + 3_600_000 }) });
    await h.get('/x');
    expect((await caught(h.get('/y'))).code).toBe('SOURCE_RATE_LIMITED');
    expect(arrivals).toHaveLength(1);
  });

  it('respects a countdown budget under concurrency: zero 429s', async () => {
    const { base, refused } = await budgetServer(8, 60);
    const h = client(base, {
      concurrency: 4,
      rateLimit: (r) => ({
        limited: r.status === 429,
        remaining: Number(r.headers['ratelimit-remaining']),
        resetAt: Number(r.headers['ratelimit-reset-ms']),
      }),
    });
    await Promise.all(Array.from({ length: 60 }, (_, i) => h.get(`/p${i}`)));
    expect(refused()).toBe(0);
    expect(h.requestCount).toBe(60);
  });

  it('two clients of one factory on the same account share one budget: zero 429s between them', async () => {
    const { base, refused } = await budgetServer(8, 60);
    const budget = {
      concurrency: 4,
      headers: { authorization: 'Bearer same-account' },
      rateLimit: (r: SourceResponse<string>) => ({
        limited: r.status === 429,
        remaining: Number(r.headers['ratelimit-remaining']),
        resetAt: Number(r.headers['ratelimit-reset-ms']),
      }),
    };
    const jobs = [client(base, budget), client(base, budget)];
    await Promise.all(jobs.flatMap((h, j) => Array.from({ length: 40 }, (_, i) => h.get(`/j${j}/p${i}`))));
    expect(refused()).toBe(0);
    // another account on the same host has a budget of its own
    const other = client(base, { ...budget, headers: { authorization: 'Bearer other-account' } });
    await other.get('/other');
    expect(other.requestCount).toBe(1);
  });
});
