/**
 * GET /api/imports/{job_id} sends the stored record text after a tenant check that does not parse
 * it (src/jobs/record-tenant.ts): the body is still the job, another tenant still gets 404, and
 * every response still carries X-Request-ID, for records written at creation (JSON.stringify) and
 * by save.lua (cjson, up to 1,000 imported_items), and for records that make the text search unsure.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { emptyProgress } from '../../src/jobs/create.js';
import { recordTenant } from '../../src/jobs/record-tenant.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

const KEY_ACME = 'acme-key-0123456789abcdef';
const KEY_GLOBEX = 'globex-key-0123456789abcdef';
const acme = { authorization: `Bearer ${KEY_ACME}` };
const globex = { authorization: `Bearer ${KEY_GLOBEX}` };

let env: HttpEnv;
let app: FastifyInstance;
let open: FastifyInstance;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app({ apiKeys: new Map([[KEY_ACME, 'acme'], [KEY_GLOBEX, 'globex']]) });
  open = await env.app();
});
afterAll(async () => env.cleanup());

const stored = (id: string) => env.harness.deps.redis.get(env.harness.deps.keys.record(id));

async function create(headers: Record<string, string>): Promise<JobRecord> {
  const res = await app.inject({ method: 'POST', url: '/api/imports', headers, payload: importBody() });
  expect(res.statusCode).toBe(202);
  return res.json();
}

/** Taken, `items` imported_items saved and completed through save.lua: the text cjson writes. */
async function finished(headers: Record<string, string>, items: number, patch: Partial<JobRecord> = {}): Promise<string> {
  const { job_id } = await create(headers);
  const records = env.harness.deps.records;
  expect((await records.take(job_id, 'w1')).ok).toBe(true);
  const refs = Array.from({ length: items }, (_, i) => ({ external_id: `${9000 + i}`, key: `T-${i}`, item_id: randomUUID(), action: 'created' as const }));
  const progress = { ...emptyProgress(), total_items: items, processed_items: items, successful_items: items, percentage: 100 };
  expect((await records.saveProgress(job_id, 'w1', { progress, checkpoint: 'c', items: refs, counters: {} })).ok).toBe(true);
  expect((await records.transition(job_id, patch.error_code ? 'failed' : 'completed', patch, 'w1')).ok).toBe(true);
  return job_id;
}

async function expectServed(id: string, headers: Record<string, string>, via = app) {
  const text = await stored(id);
  const parse = vi.spyOn(JSON, 'parse');
  const res = await via.inject({ url: `/api/imports/${id}`, headers: { ...headers, 'x-request-id': `get-${id}` } });
  const parsedRecord = parse.mock.calls.some(([arg]) => arg === text);
  parse.mockRestore();
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['x-request-id']).toBe(`get-${id}`);
  expect(res.body).toBe(text);
  expect(res.json()).toEqual(await env.harness.deps.records.get(id));
  return { body: res.json() as JobRecord, parsedRecord };
}

async function expectHidden(id: string, headers: Record<string, string>) {
  const res = await app.inject({ url: `/api/imports/${id}`, headers });
  expect(res.statusCode).toBe(404);
  expect(res.json()).toMatchObject({ error_code: 'JOB_NOT_FOUND', request_id: res.headers['x-request-id'] });
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body).not.toContain(id);
}

describe('GET /api/imports/{job_id}: the stored record, checked without a parse', () => {
  it('a record as created: the owner gets it (not parsed), another tenant 404', async () => {
    const { job_id } = await create(acme);
    const { body, parsedRecord } = await expectServed(job_id, acme);
    expect(body).toMatchObject({ job_id, tenant_id: 'acme', status: 'pending' });
    expect(parsedRecord).toBe(false);
    await expectHidden(job_id, globex);
  });

  it('a record saved by save.lua with 1,000 imported_items: body equals the record; another tenant 404', async () => {
    const id = await finished(acme, 1000);
    const { body, parsedRecord } = await expectServed(id, acme);
    expect(body.imported_items).toHaveLength(1000);
    expect(body).toMatchObject({ status: 'completed', tenant_id: 'acme', progress: { processed_items: 1000, percentage: 100 } });
    expect(parsedRecord).toBe(false);
    await expectHidden(id, globex);
  });

  it('the other tenant\'s name written as text in the record does not open it', async () => {
    const decoy = 'x","tenant_id":"acme","y":"\\"tenant_id\\":\\"acme\\"';
    const id = await finished(globex, 3, { error_code: 'SOURCE_UNAVAILABLE', error_message: decoy });
    await expectHidden(id, acme);
    const { body } = await expectServed(id, globex);
    expect(body.error_message).toBe(decoy);
  });

  it('a record with tenant_id in a nested object too is parsed, and still goes only to its tenant', async () => {
    const { job_id } = await create(globex);
    const { source, ...rest } = (await env.harness.deps.records.get(job_id))!;
    // the nested key first, so a plain first-match search would read "acme"
    const text = JSON.stringify({ source: { ...source, tenant_id: 'acme' }, ...rest });
    await env.harness.deps.redis.set(env.harness.deps.keys.record(job_id), text, 'EX', 60);
    await expectHidden(job_id, acme);
    const { parsedRecord } = await expectServed(job_id, globex);
    expect(parsedRecord).toBe(true);
  });

  it('a job without a tenant is hidden from every key, and served as is with keys off', async () => {
    const res = await open.inject({ method: 'POST', url: '/api/imports', payload: importBody() });
    const { job_id } = res.json();
    await expectHidden(job_id, acme);
    const served = await open.inject(`/api/imports/${job_id}`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(served.json()).toEqual(res.json());
  });

  it('an expired or unknown job is 404 for its own tenant too', async () => {
    const { job_id } = await create(acme);
    await env.harness.deps.redis.del(env.harness.deps.keys.record(job_id));
    await expectHidden(job_id, acme);
  });
});

describe('recordTenant', () => {
  it.each([
    ['a plain record', '{"job_id":"j","tenant_id":"acme","x":1}', 'acme'],
    ['null', '{"tenant_id":null,"job_id":"j"}', null],
    ['the key after an escaped backslash', '{"m":"c:\\\\","tenant_id":"acme"}', 'acme'],
    ['the key text escaped in a string', '{"m":"\\"tenant_id\\":\\"evil\\"","tenant_id":"acme"}', 'acme'],
    ['a key ending in an escaped quote and tenant_id', '{"x\\"tenant_id":"evil","job_id":"j"}', null],
    ['the key twice (nested): parsed', '{"source":{"tenant_id":"evil"},"tenant_id":"acme"}', 'acme'],
    ['an escape in the value: parsed', '{"tenant_id":"ac\\u006de"}', 'acme'],
    ['no key: parsed', '{"job_id":"j"}', null],
    ['a value of another type: parsed', '{"tenant_id":7}', null],
    ['not JSON', 'nonsense', undefined],
    ['a JSON array', '[1]', undefined],
  ])('%s', (_name, text, tenant) => {
    expect(recordTenant(text)).toBe(tenant);
  });
});
