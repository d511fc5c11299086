/**
 * callback_url through the API: the base_url rules apply (CONTRACT §2) — https, or http only where
 * SOURCE_ALLOW_PRIVATE_NETWORKS allows it (an on-premise receiver); the callback is signed.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpEnv, importBody, type HttpEnv } from './support.js';

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

  it('plain http without the allowance is SOURCE_URL_FORBIDDEN, like a base_url; a non-http scheme is a VALIDATION_ERROR', async () => {
    env = await httpEnv({ env: { WEBHOOK_SECRET: SECRET } });
    const app = await env.app();
    const post = (callback_url: string) => app.inject({ method: 'POST', url: '/api/imports', payload: importBody({}, { callback_url }) });
    const http = await post('http://hooks.example.com/x');
    expect(http.statusCode).toBe(422);
    expect(http.json()).toMatchObject({ error_code: 'SOURCE_URL_FORBIDDEN', details: [{ path: '/callback_url', message: 'callback_url must use https' }] });
    const ftp = await post('ftp://hooks.example.com/x');
    expect(ftp.statusCode).toBe(422);
    expect(ftp.json()).toMatchObject({ error_code: 'VALIDATION_ERROR', details: [{ path: '/callback_url' }] });
    expect((await post('https://hooks.example.com/x')).statusCode).toBe(202);
  });
});
