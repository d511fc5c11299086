import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { createSourceHttpFactory } from '../../src/outbound/http.js';
import type { SourceHttpOptions } from '../../src/outbound/types.js';
import { TEST_POLICY } from '../support/policy.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number, body: string) => void;
interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: Handler): Promise<{ base: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, hits.length, body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const json = (res: http.ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

const TOKEN = 'ghp_SuperSecretToken123';
const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
const client = (base: string, extra: Partial<SourceHttpOptions> = {}) =>
  factory({ source: 'GitHub', baseUrl: base, headers: { Authorization: `token ${TOKEN}` }, ...extra });

async function caught(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('source http: requests', () => {
  it('keeps the base path prefix, encodes the query, sends JSON and returns parsed bodies', async () => {
    const { base, hits } = await serve((_q, res) => json(res, 200, { ok: true }));
    const h = client(`${base}/api/v3/`);
    const res = await h.post<{ ok: boolean }>('/search', { q: 1 }, { query: { jql: 'a = "b c"&d', skip: undefined, n: 5 } });
    expect(res.body).toEqual({ ok: true });
    expect(hits[0]!.url).toBe('/api/v3/search?jql=a+%3D+%22b+c%22%26d&n=5');
    expect(hits[0]!.headers['content-type']).toBe('application/json');
    expect(hits[0]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(JSON.parse(hits[0]!.body)).toEqual({ q: 1 });
    const abs = await h.get(`${base}/elsewhere?page=2`);
    expect(abs.url).toBe(`${base}/elsewhere?page=2`);
    expect(hits[1]!.url).toBe('/elsewhere?page=2');
  });

  it('retries 5xx and connection resets, then succeeds, counting every attempt', async () => {
    const { base } = await serve((req, res, n) => {
      if (n === 1) return void req.socket.destroy();
      if (n <= 3) return json(res, n === 2 ? 502 : 500, {});
      json(res, 200, [n]);
    });
    const h = client(base);
    expect((await h.get('/x')).body).toEqual([4]);
    expect(h.requestCount).toBe(4);
  });

  it('gives up after retries + 1 attempts with SOURCE_UNAVAILABLE naming source and status', async () => {
    const { base, hits } = await serve((_q, res) => json(res, 503, {}));
    const err = await caught(client(base).get('/repos/o/r/issues'));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toBe('GitHub unavailable: HTTP 503 after 6 attempts (GET /repos/o/r/issues)');
    expect(hits).toHaveLength(6);
  });

  it('retries a body cut off mid-transfer as a network fault', async () => {
    const { base, hits } = await serve((req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"a":');
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      json(res, 200, { a: 1 });
    });
    expect((await client(base).get('/x')).body).toEqual({ a: 1 });
    expect(hits).toHaveLength(2);
  });

  it('a complete 2xx body that is not JSON is SOURCE_RESPONSE_INVALID, not retried', async () => {
    const { base, hits } = await serve((_q, res) => res.end('<html>login</html>'));
    const err = await caught(client(base).get('/x'));
    expect(err.code).toBe('SOURCE_RESPONSE_INVALID');
    expect(hits).toHaveLength(1);
    expect((await client(base).get('/x', { responseType: 'text' })).body).toBe('<html>login</html>');
  });

  it('refuses a body over maxBodyBytes without retrying', async () => {
    const { base, hits } = await serve((_q, res) => json(res, 200, 'x'.repeat(5000)));
    const err = await caught(client(base, { maxBodyBytes: 1000 }).get('/big'));
    expect(err.code).toBe('SOURCE_RESPONSE_INVALID');
    expect(hits).toHaveLength(1);
  });

  it('maps final statuses; classify overrides; allowStatus returns the response', async () => {
    const { base } = await serve((req, res) => json(res, Number(req.url!.slice(1)), { error: 'e' }));
    const h = client(base, {
      classify: (r) => (r.status === 400 && r.body.includes('e') ? { code: 'SOURCE_NOT_FOUND', message: 'GitHub: no such project' } : null),
    });
    expect((await caught(h.get('/401'))).code).toBe('SOURCE_AUTH_FAILED');
    expect((await caught(h.get('/403'))).code).toBe('SOURCE_AUTH_FAILED');
    expect((await caught(h.get('/410'))).code).toBe('SOURCE_NOT_FOUND');
    expect((await caught(h.get('/422'))).code).toBe('SOURCE_RESPONSE_INVALID');
    const classified = await caught(h.get('/400'));
    expect([classified.code, classified.message]).toEqual(['SOURCE_NOT_FOUND', 'GitHub: no such project']);
    const allowed = await h.get('/404', { allowStatus: [404] });
    expect([allowed.status, allowed.body]).toEqual([404, { error: 'e' }]);
  });

  it('never puts the token in an error, from headers or from the URL', async () => {
    const { base } = await serve((_q, res) => json(res, 401, { message: 'Bad credentials' }));
    const h = client(base);
    const err = await caught(h.get(`/repos/o/r/issues?private_token=${TOKEN}&state=all`, { headers: { 'PRIVATE-TOKEN': TOKEN } }));
    expect(err.message).toBe('GitHub answered HTTP 401 for GET /repos/o/r/issues?private_token=REDACTED&state=all');
    for (const text of [err.message, String(err), JSON.stringify(err), err.stack ?? '']) expect(text).not.toContain(TOKEN);
    const query = 'assignee=me&author_id=3&api_key=k&apiKey=k&X-Amz-Signature=k&sig=k&password=k&accessToken=k';
    expect((await caught(h.get(`/q?${query}`))).message).toBe(
      'GitHub answered HTTP 401 for GET /q?assignee=me&author_id=3&api_key=REDACTED&apiKey=REDACTED' +
        '&X-Amz-Signature=REDACTED&sig=REDACTED&password=REDACTED&accessToken=REDACTED',
    );
  });

  it('times out a hung attempt, retries, and gives up with SOURCE_UNAVAILABLE', async () => {
    const { base } = await serve(() => undefined); // never answers
    const h = client(base, { timeoutMs: 20, retries: 2 });
    const err = await caught(h.get('/slow'));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toContain('GitHub unavailable: timeout (20 ms) after 3 attempts');
    expect(h.requestCount).toBe(3);
  });

  it('fails at once, without retrying, when TLS cannot be established', async () => {
    const { base, hits } = await serve((_q, res) => json(res, 200, {}));
    const h = client(base.replace('http:', 'https:')); // a plain-HTTP server on an https URL
    const err = await caught(h.get('/x'));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toMatch(/^GitHub unavailable: TLS failure \S+ \(GET \/x\)$/);
    expect([h.requestCount, hits.length]).toEqual([1, 0]);
  });

  it('the caller abort stops an in-flight request with the signal reason', async () => {
    const { base } = await serve(() => undefined);
    const ac = new AbortController();
    const p = client(base).get('/slow', { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by user')), 10);
    await expect(p).rejects.toThrow('cancelled by user');
  });

  it('the caller abort stops a backoff wait at once, with no further attempt', async () => {
    const { base, hits } = await serve((_q, res) => json(res, 500, {}));
    const ac = new AbortController();
    let answered!: () => void;
    const seen = new Promise<void>((r) => (answered = r));
    const rateLimit = () => (answered(), null); // called once the 500 has been read
    const p = client(base, { backoff: { baseMs: 60_000, maxMs: 60_000 }, rateLimit }).get('/x', { signal: ac.signal });
    await seen;
    await new Promise((r) => setTimeout(r, 0)); // past the microtasks: now sleeping in backoff
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(hits).toHaveLength(1);
  });

  it('never runs more than `concurrency` requests at once', async () => {
    let open = 0;
    let peak = 0;
    const { base } = await serve((_q, res) => {
      peak = Math.max(peak, ++open);
      setTimeout(() => {
        open--;
        json(res, 200, {});
      }, 5);
    });
    const h = client(base, { concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => h.get('/x')));
    expect(peak).toBe(3);
  });
});

describe('binary bodies (attachment content)', () => {
  it('returns the exact bytes of a 2xx body, sends no JSON accept header, and refuses a body over maxBytes', async () => {
    const payload = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, ...Buffer.from('tail')]);
    const { base, hits } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(payload);
    });
    const got = await client(base).get<Buffer>('/file', { responseType: 'bytes', maxBytes: 64 });
    expect(Buffer.isBuffer(got.body)).toBe(true);
    expect(got.body.equals(payload)).toBe(true);
    expect(hits[0]!.headers.accept).toBeUndefined();
    const err = await caught(client(base).get('/file', { responseType: 'bytes', maxBytes: 4 }));
    expect(err.code).toBe('SOURCE_RESPONSE_INVALID');
    expect(err.message).toContain('over 4 bytes');
  });
});
