/** Values that pass a loose schema but that the database (or Date) would refuse: 422, never 5xx. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { httpEnv, importBody, type HttpEnv } from './support.js';
import { isTimestamp } from '../../src/http/validation.js';

let env: HttpEnv;
let app: FastifyInstance;
beforeAll(async () => {
  env = await httpEnv();
  app = await env.app();
});
afterAll(async () => env.cleanup());

const b64 = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('values the database would refuse', () => {
  it.each([
    '2016-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '2024-02-30T00:00:00Z',
    // found by test/http/fuzz.test.ts: valid RFC 3339 whose instant is in year 0000 or 10000 in UTC (was a 503)
    '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00',
  ])('updated_since=%s is a 422 naming the field', async (value) => {
    const res = await app.inject(`/api/items?updated_since=${encodeURIComponent(value)}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([expect.objectContaining({ path: '/updated_since' })]);
  });

  it.each([
    ['a sort key past year 9999', [String(3n * 10n ** 17n), '00000000-0000-4000-8000-000000000000']],
    ['a sort key before year 1', [String(-(10n ** 17n)), '00000000-0000-4000-8000-000000000000']],
  ])('an items cursor with %s is a 422', async (_, key) => {
    const res = await app.inject(`/api/items?cursor=${b64(key)}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
  });

  it('a job items cursor past the bigint range is a 422', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ scope: 'BAD-CURSOR', count: 1 }) });
    const res = await app.inject(`/api/imports/${created.json().job_id}/items?cursor=${b64(['9223372036854775808'])}`);
    expect(res.statusCode).toBe(422);
  });

  // found by test/http/fuzz.test.ts: PostgreSQL text cannot hold NUL, so these were a 503 STORE_UNAVAILABLE
  it.each(['q', 'project', 'tenant_id'])('a NUL character in %s is a 422 naming the field', async (name) => {
    const res = await app.inject(`/api/items?${name}=a%00b`);
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([{ path: `/${name}`, message: 'must not contain the NUL character (U+0000)' }]);
  });

  // found by the fuzz: an escape that is not UTF-8 beside it kept the whole value undecoded, NUL hidden
  it('a NUL character beside a malformed escape is still decoded and refused', async () => {
    const res = await app.inject('/api/items?tenant_id=a%00%ED%A0%80');
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([{ path: '/tenant_id', message: 'must not contain the NUL character (U+0000)' }]);
  });

  it('a parameter named __proto__ is refused as an unknown parameter, not taken as a prototype', async () => {
    const res = await app.inject('/api/items?__proto__=x');
    expect(res.statusCode).toBe(422);
  });

  it('a NUL character in tenant_id is refused at POST (every item of the job would fail in the database)', async () => {
    const before = (await app.inject('/api/imports')).json().total;
    const res = await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ scope: 'NUL' }, { tenant_id: 'acme\u0000' }) });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([expect.objectContaining({ path: '/tenant_id' })]);
    expect((await app.inject('/api/imports')).json().total).toBe(before);
  });

  it.each(['2016-12-31T23:59:60Z', '0001-01-01T00:00:00+01:00'])('options.since=%s is refused at POST and creates nothing', async (since) => {
    const before = (await app.inject('/api/imports')).json().total;
    const res = await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ scope: 'LEAP' }, { options: { since } }) });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([expect.objectContaining({ path: '/options/since' })]);
    expect((await app.inject('/api/imports')).json().total).toBe(before);
  });

  it('accepts ordinary timestamps with offsets and fractions', () => {
    for (const ok of ['2024-01-01T00:00:00Z', '2024-06-30T12:34:56.123456+02:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00-01:00', '9999-12-31T23:59:59+01:00']) {
      expect(isTimestamp(ok), ok).toBe(true);
    }
    for (const bad of ['2024-01-01', '2024-01-01T00:00:00', 'yesterday', '2024-13-01T00:00:00Z', '0001-01-01T00:59:59+01:00', '9999-12-31T23:00:00-01:00']) {
      expect(isTimestamp(bad), bad).toBe(false);
    }
  });
});

describe('a database outage', () => {
  it('answers 503 STORE_UNAVAILABLE without the database text', async () => {
    await env.harness.deps.store.close();
    const res = await app.inject('/api/items');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error_code: 'STORE_UNAVAILABLE', error_message: 'the item store is unavailable; retry later' });
    expect(res.body).not.toMatch(/database error|closed|pglite|postgres/i);
  });
});
