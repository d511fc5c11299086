/** The envelope on every error, X-Request-ID on every response, and the body/media checks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { JobService } from '../../src/jobs/types.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let app: FastifyInstance;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app();
});
afterAll(async () => env.cleanup());

function expectEnvelope(res: { headers: Record<string, unknown>; json(): unknown }, status: string) {
  const body = res.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['details', 'error_code', 'error_message', 'request_id']);
  expect(body.error_code).toBe(status);
  expect(body.request_id).toBe(res.headers['x-request-id']);
}

describe('X-Request-ID', () => {
  it.each(['abc-123', 'a.b_c:d-e', 'x'.repeat(128)])('keeps a valid id %s', async (id) => {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toBe(id);
  });

  it.each(['', 'x'.repeat(129), 'has space', 'semi;colon', 'ü'])('replaces %j with a UUID', async (id) => {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('is generated when absent, and is on error responses too', async () => {
    const ok = await app.inject('/health');
    expect(ok.headers['x-request-id']).toMatch(UUID);
    const missing = await app.inject({ url: '/nowhere', headers: { 'x-request-id': 'err-1' } });
    expect(missing.headers['x-request-id']).toBe('err-1');
    expect(missing.json().request_id).toBe('err-1');
  });
});

describe('error envelope', () => {
  it('unknown route: 404 NOT_FOUND', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/nothing' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res, 'NOT_FOUND');
  });

  it.each([
    ['PUT', '/api/imports', 'GET, HEAD, POST'],
    ['PATCH', '/api/imports/3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f', 'DELETE, GET, HEAD'],
    ['POST', '/api/imports/x/items', 'GET, HEAD'],
    ['HEAD', '/api/imports/3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f/events', 'GET'],
    ['DELETE', '/health', 'GET, HEAD'],
  ])('a known path with another method (%s %s): 405 METHOD_NOT_ALLOWED with Allow', async (method, url, allow) => {
    const res = await app.inject({ method: method as 'PUT', url, headers: { 'x-request-id': 'wrong-method' } });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allow);
    if (method !== 'HEAD') expectEnvelope(res, 'METHOD_NOT_ALLOWED');
    expect(res.headers['x-request-id']).toBe('wrong-method');
  });

  it('malformed JSON: 400 MALFORMED_JSON, no echo of the body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { 'content-type': 'application/json' },
      payload: '{"source_type": "jira", "token": "hunter2-secret",',
    });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res, 'MALFORMED_JSON');
    expect(res.body).not.toContain('hunter2');
  });

  it('empty JSON body: 400 MALFORMED_JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/imports', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res, 'MALFORMED_JSON');
  });

  it('body over 1 MiB: 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify(importBody({ scope: 'x'.repeat(1024 * 1024) }));
    const res = await app.inject({ method: 'POST', url: '/api/imports', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res, 'PAYLOAD_TOO_LARGE');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('%s body: 415', async (type) => {
    const res = await app.inject({ method: 'POST', url: '/api/imports', headers: { 'content-type': type }, payload: 'a=b' });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body without Content-Type: 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/imports', payload: Buffer.from(JSON.stringify(importBody())) });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a POST without any body: 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/imports' });
    expect(res.statusCode).toBe(415);
  });

  it('application/json with a charset is accepted', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify(importBody()),
    });
    expect(res.statusCode).toBe(202);
  });

  it('a URL with broken percent-encoding: 400 with the envelope and request id', async () => {
    const res = await app.inject({ url: '/api/imports/%E0%A4%A', headers: { 'x-request-id': 'bad-url' } });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res, 'BAD_REQUEST');
    expect(res.headers['x-request-id']).toBe('bad-url');
  });

  it('an unexpected failure is 500 INTERNAL_ERROR without internals', async () => {
    const fail = async (): Promise<never> => {
      throw new Error('ECONNREFUSED 10.1.2.3:6379 at RedisClient.secretInternals');
    };
    const broken: JobService = Object.assign(Object.create(env.deps.jobs) as JobService, { get: fail, getJson: fail });
    const bad = await env.app({ jobs: broken });
    const res = await bad.inject('/api/imports/3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f');
    expect(res.statusCode).toBe(500);
    expectEnvelope(res, 'INTERNAL_ERROR');
    expect(res.json().error_message).toBe('internal error');
    expect(res.body).not.toMatch(/ECONNREFUSED|secretInternals|at /);
  });
});
