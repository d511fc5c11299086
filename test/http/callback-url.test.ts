/**
 * callback_url through the API: the base_url rules apply (CONTRACT §2) — https, or http only where
 * SOURCE_ALLOW_PRIVATE_NETWORKS allows it (an on-premise receiver); the callback is signed, and
 * GET /api/imports/{job_id}/callback shows where it stands (CONTRACT §8) to its tenant only.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpEnv, importBody, type HttpEnv } from './support.js';
import { createWorker } from '../../src/deps.js';

const SECRET = 'whsec-callback-url-test-0123456789abcdef';
let env: HttpEnv | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.close();
  await env?.cleanup();
  env = server = undefined;
});

async function receiver() {
  const hits: { headers: IncomingHttpHeaders; body: string }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits };
}

describe('callback_url', () => {
  it('may be plain http on an allowed private network, and is called signed when the job ends', async () => {
    env = await httpEnv({ worker: true, env: { WEBHOOK_SECRET: SECRET, SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const app = await env.app();
    const hook = await receiver();
    const res = await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ count: 2 }, { callback_url: hook.url }) });
    expect(res.statusCode).toBe(202);
    await env.harness.waitFor(res.json().job_id);
    const deadline = Date.now() + 10_000;
    while (hook.hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [hit] = hook.hits;
    expect(JSON.parse(hit!.body)).toMatchObject({ job_id: res.json().job_id, status: 'completed' });
    expect(hit!.headers['x-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(hit!.body).digest('hex')}`);
  });

  it('GET /api/imports/{job_id}/callback: pending before the job ends, delivered after; 404 for other tenants and jobs without one', async () => {
    env = await httpEnv({ env: { WEBHOOK_SECRET: SECRET, SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const app = await env.app({ apiKeys: new Map([['key-acme', 'acme'], ['key-globex', 'globex']]) });
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const hook = await receiver();
    const post = async (extra: Record<string, unknown>) =>
      (await app.inject({ method: 'POST', url: '/api/imports', headers: as('key-acme'), payload: importBody({ count: 2 }, extra) })).json().job_id as string;
    const withHook = await post({ callback_url: hook.url });
    const without = await post({});
    const get = (id: string, key = 'key-acme') => app.inject({ method: 'GET', url: `/api/imports/${id}/callback`, headers: as(key) });

    // no worker yet: the job has not ended, nothing was sent
    const before = await get(withHook);
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ status: 'pending', attempts: 0, last_attempt_at: null, last_error: null });
    for (const [id, key] of [[withHook, 'key-globex'], [without, 'key-acme'], ['4a0c3a7e-1f4b-4c2d-9e8f-0123456789ab', 'key-acme'], ['not-a-uuid', 'key-acme']] as const) {
      const res = await get(id, key);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error_code: 'JOB_NOT_FOUND' });
    }

    const worker = createWorker(env.harness.deps);
    await worker.start();
    try {
      await env.harness.waitFor(withHook);
      const deadline = Date.now() + 15_000;
      while ((await get(withHook)).json().status !== 'delivered' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const after = (await get(withHook)).json();
      expect(after).toEqual({ status: 'delivered', attempts: 1, last_attempt_at: expect.any(String), last_error: null });
      expect(Date.parse(after.last_attempt_at)).not.toBeNaN();
      expect(hook.hits).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });

  it('plain http without the allowance is SOURCE_URL_FORBIDDEN, like a base_url; a non-http scheme is a VALIDATION_ERROR', async () => {
    env = await httpEnv({ env: { WEBHOOK_SECRET: SECRET } });
    const app = await env.app();
    const post = (callback_url: string) => app.inject({ method: 'POST', url: '/api/imports', payload: importBody({}, { callback_url }) });
    const http = await post('http://hooks.example.com/x');
    expect(http.statusCode).toBe(422);
    expect(http.json()).toMatchObject({ error_code: 'SOURCE_URL_FORBIDDEN', details: [{ path: '/callback_url', message: expect.stringMatching(/^callback_url must use https \(plain http only to a host in SOURCE_ALLOWED_HOSTS/) }] });
    const ftp = await post('ftp://hooks.example.com/x');
    expect(ftp.statusCode).toBe(422);
    expect(ftp.json()).toMatchObject({ error_code: 'VALIDATION_ERROR', details: [{ path: '/callback_url' }] });
    expect((await post('https://hooks.example.com/x')).statusCode).toBe(202);
  });
});
