/**
 * HTTP fuzz (issue 8): invalid requests for every API route, generated from the TypeBox schemas
 * that validate them (then broken one thing at a time), plus garbage headers, paths, methods and
 * cursors, all through app.inject against real Redis and PGlite. Every one must answer 4xx with the
 * error envelope, carry no database text or stack, and change nothing: the Redis keys under the
 * test prefix and the work_items/job_items rows are the same after as before.
 * Fixed seed; on failure fast-check prints the seed, the path and the shrunk request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { SqlItemStore } from '../../src/store/work-items.js';
import { ImportEnvelope } from '../../src/http/schemas/import-body.js';
import { JobListQuery } from '../../src/http/schemas/job.js';
import { ItemListQuery, JobItemsQuery } from '../../src/http/schemas/item.js';
import { dumpValues } from '../support/redis.js';
import { BAD_TIMESTAMPS, BAD_UUIDS, invalidOf, nastyString, validOf } from './fuzz-arbitraries.js';
import { httpEnv, importBody, strictTestModule, type HttpEnv } from './support.js';

const SEED = 8_2024;
/** Per property: 8 × RUNS + 60 + 76 fixed ≈ 540 requests (12 s idle, 26 s at load 15 on 2 cores). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const KEY = 'fuzz-api-key-0123456789';

let env: HttpEnv;
let app: FastifyInstance;
let authApp: FastifyInstance;
/** completed, with items in both tables */
let doneJob: string;
/** pending (the worker is gone): a DELETE that got through would cancel it */
let liveJob: string;

async function snapshot(): Promise<string> {
  const db = (env.harness.deps.store as SqlItemStore).db;
  const { rows } = await db.query<{ w: string; j: string }>(
    'SELECT (SELECT count(*) FROM work_items)::text AS w, (SELECT count(*) FROM job_items)::text AS j',
  );
  return `${JSON.stringify(rows[0])}\n${await dumpValues(env.harness.deps.redis, env.harness.prefix)}`;
}

beforeAll(async () => {
  env = await httpEnv({ worker: true });
  app = await env.app();
  authApp = await env.app({ apiKeys: new Map([[KEY, 'tenant-a']]) });
  doneJob = (await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ scope: 'FUZZ', count: 3 }) })).json().job_id;
  expect((await env.harness.waitFor(doneJob)).status).toBe('completed');
  // No worker from here on: nothing but the requests themselves can change Redis.
  await env.harness.worker!.close();
  // the closed workers' markers would expire mid-run (by their TTL, not by a request)
  for (const queue of ['imports', 'sync-ticks', 'webhook-deliveries']) await env.harness.deps.redis.del(`${env.harness.prefix}bull:${queue}:stalled-check`);
  liveJob = (await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ scope: 'FUZZ-LIVE' }) })).json().job_id;
  const before = await snapshot();
  expect(before).toMatch(/"w":"3","j":"3"/);
});
afterAll(async () => env?.cleanup());

/** Database, driver, Redis and stack text that must never reach a client. */
const INTERNALS = /invalid input syntax|out of range for type|violates|relation "|column "|SQLSTATE|pglite|postgres|ERR |WRONGTYPE|ReplyError|\bat \S+:\d+:\d+|node_modules|\.ts:\d+/i;

type Req = InjectOptions & { expect?: number[] };

/** One request: < 500, the envelope on 4xx, no internals, and not a byte changed anywhere. */
async function refused(target: FastifyInstance, req: Req): Promise<void> {
  const before = await snapshot();
  const res = await target.inject(req);
  const what = `${req.method} ${String(req.url).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, what).toBeLessThan(500);
  expect(res.body, what).not.toMatch(INTERNALS);
  if (req.expect) expect(req.expect, what).toContain(res.statusCode);
  else expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
  expect(await snapshot(), what).toBe(before);
  if (res.statusCode < 400) return;
  const body = res.json();
  expect(Object.keys(body).sort(), what).toEqual(['details', 'error_code', 'error_message', 'request_id']);
  expect(body, what).toMatchObject({ error_code: expect.any(String), error_message: expect.any(String), details: expect.any(Array) });
  expect(body.request_id, what).toBe(res.headers['x-request-id']);
  for (const d of body.details) expect(d, what).toEqual({ path: expect.any(String), message: expect.any(String) });
}

const run = (arb: fc.Arbitrary<Req>, target: () => FastifyInstance = () => app, numRuns = RUNS) =>
  fc.assert(fc.asyncProperty(arb, (req) => refused(target(), req)), { seed: SEED, numRuns, endOnFailure: true });

/** POST /api/imports body schema: the envelope with the connector's own source_config schema. */
const bodySchema = {
  ...ImportEnvelope,
  properties: { ...ImportEnvelope.properties, source_config: strictTestModule.configSchema },
};

const JSON_TYPE = { 'content-type': 'application/json' };

/** Query values are text: each schema value as the client would write it. */
const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** encodeURIComponent, with lone surrogates sent as the invalid UTF-8 bytes a careless client would send. */
function enc(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[^]/gu, (c) => {
    if (c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff) {
      const u = c.charCodeAt(0);
      return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(c);
  });
}

function queryString(params: [string, string][]): string {
  return params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** Cursors no page ever handed out: garbage, base64 of the wrong shape, keys out of the database's range. */
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const BAD_CURSORS = fc.oneof(
  fc.constantFrom(
    '', '!!!', '====', 'null', '0', '-1', b64('null'), b64([]), b64({}), b64([1]), b64(['x', 'y', 'z']),
    b64([String(3n * 10n ** 17n), '00000000-0000-4000-8000-000000000000']),
    b64([String(-(10n ** 17n)), '00000000-0000-4000-8000-000000000000']),
    b64(['9223372036854775808']), b64(['-9223372036854775809']), b64(['1e400']), b64(['0x10']),
    b64(['1', 'urn:uuid:00000000-0000-4000-8000-000000000000']), b64(['1', '\u0000']), 'x'.repeat(513),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 120 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  fc.array(fc.oneof(fc.string(), fc.bigInt(), fc.double()), { maxLength: 3 }).map((key) => b64(key.map(String))),
);

/**
 * A query with one thing wrong: a parameter broken per its schema (or a cursor no page handed out),
 * an unknown parameter, or a parameter given twice.
 */
function badQuery(schema: { properties: object }, cursorsAreDigits = false): fc.Arbitrary<string> {
  const props = schema.properties as Record<string, object>;
  const valid = (validOf(schema) as fc.Arbitrary<Record<string, unknown>>).map((q) => Object.entries(q).map(([k, v]) => [k, asText(v)] as [string, string]));
  const broken = Object.entries(props).map(([name, s]) => {
    if (name === 'cursor') return (cursorsAreDigits ? BAD_CURSORS.filter((c) => !/^\d{1,20}$/.test(c)) : BAD_CURSORS).map((c) => [name, c] as [string, string]);
    const texts = invalidOf(s)!.map(asText)
      // the same text can be valid once coerced from a query string ("true", "10")
      .filter((t) => !(validText(s, t)));
    return texts.map((t) => [name, t] as [string, string]);
  });
  const unknown = fc.oneof(fc.constantFrom('sort', 'offset', 'api_tokn', 'limit[]', '__proto__'), nastyString(10))
    .filter((k) => !(k in props)).map((k) => [k, 'x'] as [string, string]);
  return fc.tuple(valid, fc.oneof(...broken, unknown), fc.boolean()).map(([base, bad, twice]) => {
    const rest = base.filter(([k]) => k !== bad[0]);
    // a repeated parameter arrives as an array, which no scalar parameter takes
    return queryString(twice && bad[0] in props ? [...rest, bad, bad] : [...rest, bad]);
  });
}

/** Would the query validator accept this text for this parameter (after its coercions)? */
function validText(s: { type?: unknown; enum?: unknown[]; minimum?: number; maximum?: number; format?: string; minLength?: number; maxLength?: number }, t: string): boolean {
  if (s.enum) return s.enum.includes(t);
  // In a query every value is text: a "wrong type" of a plain string parameter is just another string.
  if (s.type === 'string') {
    const n = [...t].length;
    return s.format === undefined && n >= (s.minLength ?? 0) && n <= (s.maxLength ?? Infinity);
  }
  if (s.type === 'integer') {
    const n = t.trim() === '' ? NaN : Number(t);
    return Number.isInteger(n) && (s.minimum === undefined || n >= s.minimum) && (s.maximum === undefined || n <= s.maximum);
  }
  return false;
}

describe('HTTP fuzz: invalid requests answer 4xx and change nothing', { timeout: 120_000 }, () => {
  it('POST /api/imports with a body broken per its schema', async () => {
    const bad = invalidOf(bodySchema)!;
    await run(bad.map((body) => ({ method: 'POST', url: '/api/imports', headers: JSON_TYPE, payload: JSON.stringify(body), expect: [413, 422] })));
  });

  it('POST /api/imports with a valid body and a bad header, or a body that is not JSON', async () => {
    const valid = validOf(bodySchema) as fc.Arbitrary<Record<string, unknown>>;
    const nonJsonType = fc.oneof(
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp',
        'application/json-patch+json', 'application/vnd.api+json', 'json', 'application/', '*/*', 'application/json\u0000', 'text/json'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((t) => !/^\s*application\/json\s*(;|$)/i.test(t)),
    );
    const header = fc.oneof(
      nonJsonType.map((t) => ({ 'content-type': t })),
      fc.constantFrom('', 'k'.repeat(256), 'é'.repeat(300)).map((k) => ({ ...JSON_TYPE, 'idempotency-key': k })),
      fc.constantFrom('', 'c'.repeat(256)).map((c) => ({ ...JSON_TYPE, 'x-correlation-id': c })),
    );
    const notJson = fc.oneof(
      fc.constantFrom('', '{', '{"source_type":', '[', 'null', '1', '"x"', '{"a":1,}', '\u0000', '{"a":NaN}', '{"__proto__":{"x":1}}'),
      fc.string({ maxLength: 50 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
    );
    await run(fc.oneof(
      fc.tuple(valid, header).map(([body, headers]) => ({ method: 'POST', url: '/api/imports', headers, payload: JSON.stringify(body), expect: [415, 422] })),
      notJson.map((payload) => ({ method: 'POST', url: '/api/imports', headers: JSON_TYPE, payload, expect: [400, 415, 422] })),
    ));
  });

  it('GET /api/imports with a bad query', async () => {
    await run(badQuery(JobListQuery, true).map((q) => ({ method: 'GET', url: `/api/imports?${q}`, expect: [422] })));
  });

  it('GET /api/items with a bad query (updated_since, cursor, limit, q, …)', async () => {
    await run(badQuery(ItemListQuery).map((q) => ({ method: 'GET', url: `/api/items?${q}`, expect: [422] })));
  });

  it('GET /api/items and /api/imports with hostile text in plain string filters (NUL, surrogates, LIKE wildcards)', async () => {
    const param = fc.constantFrom(['/api/items', 'q'], ['/api/items', 'project'], ['/api/items', 'tenant_id'], ['/api/imports', 'tenant_id']);
    const text = nastyString(40).filter((t) => t.length > 0);
    // valid by the schema; what the database cannot take must still be refused as input, not fail as a query
    await run(fc.tuple(param, text).map(([[path, name], t]) => ({ method: 'GET', url: `${path}?${queryString([[name, t]])}`, expect: [200, 422] })));
  });

  it('every known-bad timestamp and cursor, at every place that takes one (not left to chance)', async () => {
    const cases: Req[] = [
      ...BAD_TIMESTAMPS.map((t): Req => ({ method: 'GET', url: `/api/items?${queryString([['updated_since', t]])}`, expect: [422] })),
      ...BAD_TIMESTAMPS.map((t): Req => ({
        method: 'POST', url: '/api/imports', headers: JSON_TYPE, payload: JSON.stringify(importBody({ scope: 'TS' }, { options: { since: t } })), expect: [422],
      })),
      ...fc.sample(BAD_CURSORS, { seed: SEED, numRuns: 20 }).flatMap((c): Req[] => [
        { method: 'GET', url: `/api/items?${queryString([['cursor', c]])}`, expect: [422] },
        { method: 'GET', url: `/api/imports/${doneJob}/items?${queryString([['cursor', c]])}`, expect: [422] },
      ]),
    ];
    for (const req of cases) await refused(app, req);
  });

  it('GET /api/imports/{id}/items with a bad query, on a job that has items', async () => {
    await run(badQuery(JobItemsQuery).map((q) => ({ method: 'GET', url: `/api/imports/${doneJob}/items?${q}`, expect: [422] })));
  });

  it('every route with a bad or unknown id, raw or percent-encoded', async () => {
    const id = fc.oneof(fc.constantFrom(...BAD_UUIDS), fc.uuid(), nastyString(40));
    const routes: ((i: string) => [string, string])[] = [
      (i) => ['GET', `/api/imports/${i}`], (i) => ['DELETE', `/api/imports/${i}`], (i) => ['GET', `/api/imports/${i}/items`],
      (i) => ['GET', `/api/imports/${i}/events`], (i) => ['GET', `/api/imports/${i}/callback`], (i) => ['GET', `/api/items/${i}`],
    ];
    // raw: what a careless client sends, '/', '?', '#', '%' and non-ASCII included
    await run(fc.tuple(id, fc.constantFrom(...routes), fc.boolean()).map(([i, route, raw]) => {
      const [method, url] = route(raw ? i : enc(i));
      return { method: method as 'GET', url, expect: [400, 404, 405, 422] };
    }));
  });

  it('every API route with a missing or garbage Authorization (keys on), even on a live job', async () => {
    const auth = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('', 'Bearer', 'Bearer ', `Basic ${Buffer.from(`x:${KEY}`).toString('base64')}`, `Bearer ${KEY}x`, `Bearer x${KEY}`,
        `Bearer ${KEY} ${KEY}`, `Token ${KEY}`, KEY, `Bearer ${KEY.toUpperCase()}`, `Bearer\t${KEY}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => `Bearer ${s}`),
      nastyString(60).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')),
    ).filter((h) => !(h !== undefined && /^Bearer[ ]+(\S+)\s*$/i.exec(h)?.[1] === KEY));
    const request = fc.constantFrom<Req>(
      { method: 'POST', url: '/api/imports', headers: JSON_TYPE, payload: JSON.stringify(importBody({ scope: 'AUTH' })) },
      { method: 'GET', url: '/api/imports' },
      { method: 'GET', url: '/api/items' },
      { method: 'DELETE', url: '/api/imports/LIVE' },
      ...['', '/items', '/events', '/callback'].map((tail): Req => ({ method: 'GET', url: `/api/imports/LIVE${tail}` })),
      { method: 'GET', url: '/api/items/00000000-0000-4000-8000-000000000000' },
    );
    await run(
      fc.tuple(request, auth).map(([r, a]) => ({
        ...r,
        url: String(r.url).replace('LIVE', liveJob),
        headers: { ...r.headers, ...(a !== undefined && { authorization: a }) },
        expect: [401],
      })),
      () => authApp,
    );
  });

  it('DELETE of a live job with a body that is not JSON', async () => {
    const body = fc.oneof(
      fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded'), fc.string({ minLength: 1 })),
      fc.constantFrom('{', '{"a":', 'nope', '\u0000').map((b) => ['application/json', b] as [string, string]),
    );
    await run(body.map(([type, payload]) => ({ method: 'DELETE', url: `/api/imports/${liveJob}`, headers: { 'content-type': type }, payload, expect: [400, 415] })), undefined, 30);
  });

  it('routes under a method they do not take', async () => {
    const method = fc.constantFrom('PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS');
    const url = fc.constantFrom('/api/imports', '/api/items', `/api/imports/${liveJob}`, `/api/imports/${liveJob}/items`, `/api/imports/${liveJob}/events`, `/api/imports/${liveJob}/callback`, `/api/items/${doneJob}`);
    await run(
      fc.tuple(method, url)
        .filter(([m, u]) => !(m === 'POST' && u === '/api/imports') && !(m === 'DELETE' && u === `/api/imports/${liveJob}`))
        .map(([m, u]) => ({ method: m as 'PUT', url: u, headers: JSON_TYPE, payload: '{}', expect: [404, 405] })),
      undefined,
      30,
    );
  });
});

describe('the fuzz corpus', () => {
  it('holds the audit cases: leap second, year 0000, out-of-range cursors', () => {
    expect(BAD_TIMESTAMPS).toEqual(expect.arrayContaining(['2016-12-31T23:59:60Z', '0000-01-01T00:00:00Z']));
    const sample = fc.sample(invalidOf(bodySchema)!, { seed: SEED, numRuns: 200 }).map((b) => JSON.stringify(b));
    // the generator reaches deep into the body, not only its top level
    expect(sample.some((s) => s.includes('"options":{') && s.includes('"since"'))).toBe(true);
    expect(sample.some((s) => s.includes('"api_tokn"'))).toBe(true);
  });
});
