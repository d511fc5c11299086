/** Bad input of every kind gets its status and the error envelope, and changes nothing anywhere. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { dumpValues } from '../support/redis.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let app: FastifyInstance;
let redisBefore: string;
let existing: string;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app();
  // one real job, so "unchanged" covers an existing record and its indexes too
  existing = (await app.inject({ method: 'POST', url: '/api/imports', payload: importBody() })).json().job_id;
  redisBefore = await dumpValues(env.harness.deps.redis, env.harness.prefix);
});
afterAll(async () => env.cleanup());

const json = { 'content-type': 'application/json' };
const CASES: [string, InjectOptions, number, string][] = [
  ['malformed JSON', { method: 'POST', url: '/api/imports', headers: json, payload: '{"source_type": "jira",' }, 400, 'MALFORMED_JSON'],
  ['JSON with a trailing comma', { method: 'POST', url: '/api/imports', headers: json, payload: '{"a":1,}' }, 400, 'MALFORMED_JSON'],
  ['body over 1 MiB', { method: 'POST', url: '/api/imports', headers: json, payload: JSON.stringify({ x: 'a'.repeat(1024 * 1024) }) }, 413, 'PAYLOAD_TOO_LARGE'],
  ['text/plain body', { method: 'POST', url: '/api/imports', headers: { 'content-type': 'text/plain' }, payload: 'hello' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['form body', { method: 'POST', url: '/api/imports', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['unknown source_type', { method: 'POST', url: '/api/imports', payload: { ...importBody(), source_type: 'trello' } }, 422, 'VALIDATION_ERROR'],
  ['unknown top-level field', { method: 'POST', url: '/api/imports', payload: { ...importBody(), extra: 1 } }, 422, 'VALIDATION_ERROR'],
  ['mistyped credential field', { method: 'POST', url: '/api/imports', payload: importBody({ api_tokn: 's3cret' }) }, 422, 'VALIDATION_ERROR'],
  ['batch_size 0', { method: 'POST', url: '/api/imports', payload: importBody({}, { options: { batch_size: 0 } }) }, 422, 'VALIDATION_ERROR'],
  ['batch_size 1001', { method: 'POST', url: '/api/imports', payload: importBody({}, { options: { batch_size: 1001 } }) }, 422, 'VALIDATION_ERROR'],
  ['bad mode', { method: 'POST', url: '/api/imports', payload: importBody({}, { options: { mode: 'delta' } }) }, 422, 'VALIDATION_ERROR'],
  ['base_url to the metadata address', { method: 'POST', url: '/api/imports', payload: importBody({ base_url: 'https://169.254.169.254/' }) }, 422, 'SOURCE_URL_FORBIDDEN'],
  ['plain http base_url', { method: 'POST', url: '/api/imports', payload: importBody({ base_url: 'http://jira.example.com' }) }, 422, 'SOURCE_URL_FORBIDDEN'],
  ['base_url not a URL', { method: 'POST', url: '/api/imports', payload: importBody({ base_url: 'https://' }) }, 422, 'VALIDATION_ERROR'],
  ['list limit 0', { method: 'GET', url: '/api/imports?limit=0' }, 422, 'VALIDATION_ERROR'],
  ['list limit 501', { method: 'GET', url: '/api/imports?limit=501' }, 422, 'VALIDATION_ERROR'],
  ['list bad status', { method: 'GET', url: '/api/imports?status=done' }, 422, 'VALIDATION_ERROR'],
  ['list forged cursor', { method: 'GET', url: '/api/imports?cursor=abc' }, 422, 'VALIDATION_ERROR'],
  ['items limit 1001', { method: 'GET', url: '/api/items?limit=1001' }, 422, 'VALIDATION_ERROR'],
  ['items bad updated_since', { method: 'GET', url: '/api/items?updated_since=yesterday' }, 422, 'VALIDATION_ERROR'],
  ['malformed job id', { method: 'GET', url: '/api/imports/not-a-uuid' }, 404, 'JOB_NOT_FOUND'],
  ['malformed job id on DELETE', { method: 'DELETE', url: '/api/imports/123' }, 404, 'JOB_NOT_FOUND'],
  ['malformed job id on items', { method: 'GET', url: '/api/imports/x/items' }, 404, 'JOB_NOT_FOUND'],
  ['malformed job id on events', { method: 'GET', url: '/api/imports/x/events' }, 404, 'JOB_NOT_FOUND'],
  ['unknown job', { method: 'DELETE', url: '/api/imports/0b7f3c9e-2f6a-4c1d-9e8b-5a4d3c2b1a09' }, 404, 'JOB_NOT_FOUND'],
  ['unknown route', { method: 'GET', url: '/api/nothing' }, 404, 'NOT_FOUND'],
  ['wrong method', { method: 'PUT', url: '/api/imports' }, 405, 'METHOD_NOT_ALLOWED'],
];

describe('malformed requests', () => {
  it.each(CASES)('%s → %i %s', async (_name, request, status, code) => {
    const res = await app.inject(request);
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toMatchObject({ error_code: code, request_id: res.headers['x-request-id'] });
    expect(typeof body.error_message).toBe('string');
    expect(Array.isArray(body.details)).toBe(true);
    expect(res.body).not.toContain('s3cret');
  });

  it('left Redis and the store exactly as they were', async () => {
    const after = await dumpValues(env.harness.deps.redis, env.harness.prefix);
    expect(after.split('\n')).toEqual(redisBefore.split('\n'));
    expect((await env.harness.deps.store.listItems({ tenantId: null, limit: 10 })).items).toHaveLength(0);
    expect((await env.harness.deps.store.jobItems(existing, { limit: 10 })).items).toHaveLength(0);
  });
});
