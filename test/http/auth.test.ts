/** API keys and tenant isolation: with keys on, a tenant sees and touches only its own jobs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { httpEnv, importBody, type HttpEnv } from './support.js';

const KEY_ACME = 'acme-key-0123456789abcdef';
const KEY_GLOBEX = 'globex-key-0123456789abcdef';
const acme = { authorization: `Bearer ${KEY_ACME}` };
const globex = { authorization: `Bearer ${KEY_GLOBEX}` };

let env: HttpEnv;
let app: FastifyInstance;
let acmeJob: { job_id: string; tenant_id: string };

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app({ apiKeys: new Map([[KEY_ACME, 'acme'], [KEY_GLOBEX, 'globex']]) });
  const res = await app.inject({ method: 'POST', url: '/api/imports', headers: acme, payload: importBody() });
  acmeJob = res.json();
});
afterAll(async () => env.cleanup());

describe('authentication', () => {
  it.each([
    ['no header', {}],
    ['an unknown key', { authorization: 'Bearer not-a-configured-key-123' }],
    ['a key that is a prefix of a real one', { authorization: `Bearer ${KEY_ACME.slice(0, -1)}` }],
    ['Basic auth', { authorization: `Basic ${Buffer.from(`x:${KEY_ACME}`).toString('base64')}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('401 UNAUTHORIZED with %s', async (_name, headers) => {
    for (const url of ['/api/imports', `/api/imports/${acmeJob.job_id}`, '/api/items', '/api/no-such-route']) {
      const res = await app.inject({ url, headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ error_code: 'UNAUTHORIZED', request_id: res.headers['x-request-id'] });
    }
  });

  it('health, metrics and docs need no key', async () => {
    for (const url of ['/health', '/metrics', '/openapi.json']) expect((await app.inject(url)).statusCode).toBe(200);
  });

  it('the scheme name is case-insensitive', async () => {
    const res = await app.inject({ url: '/api/imports', headers: { authorization: `bearer ${KEY_ACME}` } });
    expect(res.statusCode).toBe(200);
  });
});

describe('tenants', () => {
  it("a job gets the key's tenant", () => {
    expect(acmeJob.tenant_id).toBe('acme');
  });

  it("a body tenant_id other than the key's is 403 FORBIDDEN; the same one is fine", async () => {
    const other = await app.inject({ method: 'POST', url: '/api/imports', headers: acme, payload: importBody({}, { tenant_id: 'globex' }) });
    expect(other.statusCode).toBe(403);
    expect(other.json().error_code).toBe('FORBIDDEN');
    const same = await app.inject({ method: 'POST', url: '/api/imports', headers: acme, payload: importBody({}, { tenant_id: 'acme' }) });
    expect(same.statusCode).toBe(202);
  });

  it("another tenant's job is 404 on get, cancel, items and events", async () => {
    const id = acmeJob.job_id;
    for (const [method, url] of [
      ['GET', `/api/imports/${id}`],
      ['DELETE', `/api/imports/${id}`],
      ['GET', `/api/imports/${id}/items`],
      ['GET', `/api/imports/${id}/events`],
    ] as const) {
      const res = await app.inject({ method, url, headers: globex });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error_code).toBe('JOB_NOT_FOUND');
    }
    const still = await app.inject({ url: `/api/imports/${id}`, headers: acme });
    expect(still.json().status).toBe('pending');
  });

  it('lists only the own tenant; asking for another tenant is 403', async () => {
    const mine = await app.inject({ url: '/api/imports', headers: acme });
    expect(mine.json().jobs.map((j: { job_id: string }) => j.job_id)).toContain(acmeJob.job_id);
    const theirs = await app.inject({ url: '/api/imports', headers: globex });
    expect(theirs.json().jobs.map((j: { job_id: string }) => j.job_id)).not.toContain(acmeJob.job_id);
    for (const url of ['/api/imports?tenant_id=acme', '/api/items?tenant_id=acme']) {
      const res = await app.inject({ url, headers: globex });
      expect(res.statusCode).toBe(403);
    }
  });
});
