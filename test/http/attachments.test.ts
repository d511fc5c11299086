/**
 * Attachments end to end through the API (issue 12): POST /api/imports with download_attachments,
 * the worker downloads through the guarded HTTP layer into the blob store, GET /api/items/{id}
 * names the content and GET /api/items/{id}/attachments/{attachment_id} streams it, tenant-scoped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { httpEnv, type HttpEnv } from './support.js';
import { testConnectors } from '../support/test-connector.js';

let env: HttpEnv | undefined;
let server: Server | undefined;
afterEach(async () => {
  await env?.cleanup();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  env = undefined;
  server = undefined;
});

const KEYS = new Map([['acme-key-0123456789abcdef', 'acme'], ['other-key-0123456789abcdef', 'other']]);
const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe('GET /api/items/{id}/attachments/{attachment_id}', () => {
  it('streams the stored bytes of the tenant\'s own item as a download, and 404s for another tenant, an unknown id and content not downloaded', async () => {
    const payload = Buffer.from('<svg onload="alert(1)"></svg> and some binary \u0000\u00ff');
    server = createServer((req, res) => {
      if (req.url === '/files/1') res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(payload);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const filesUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env = await httpEnv({ worker: true, connectors: testConnectors, env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const app = await env.app({ apiKeys: KEYS, blobs: env.harness.deps.blobs });
    const attId = 'uploads/abc/ü pic.svg';
    const created = await app.inject({
      method: 'POST', url: '/api/imports', headers: as('acme-key-0123456789abcdef'),
      payload: {
        source_type: 'github',
        source_config: {
          base_url: 'https://source.example.com', scope: 'ATT', count: 1, attachments_url: filesUrl,
          attachments: [
            { item: 0, id: attId, name: 'ü "pic".svg', size: payload.length, path: '/files/1' },
            { item: 0, id: 'gone', name: 'gone.txt', size: 3, path: '/files/404' },
          ],
        },
        options: { download_attachments: true },
      },
    });
    expect(created.statusCode).toBe(202);
    const job = await env.harness.waitFor(created.json().job_id);
    expect(job.status).toBe('completed');
    expect(job.progress.partial_items).toBe(1);

    const list = await app.inject({ method: 'GET', url: '/api/items?project=ATT', headers: as('acme-key-0123456789abcdef') });
    const item = list.json().items[0];
    const sha = createHash('sha256').update(payload).digest('hex');
    expect(item.attachments[0]).toMatchObject({ external_id: attId, content: { size: payload.length, sha256: sha } });
    expect(item.completeness.attachments).toMatchObject({ state: 'partial', reason: expect.stringContaining('gone.txt: download failed: Test answered HTTP 404') });

    const url = `/api/items/${item.id}/attachments/${encodeURIComponent(attId)}`;
    const got = await app.inject({ method: 'GET', url, headers: as('acme-key-0123456789abcdef') });
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(payload)).toBe(true);
    expect(got.headers).toMatchObject({
      'content-type': 'application/octet-stream', etag: `"${sha}"`, 'x-content-type-options': 'nosniff',
      'x-attachment-media-type': 'image/svg+xml', 'content-length': String(payload.length),
    });
    expect(got.headers['content-disposition']).toBe(`attachment; filename="_ _pic_.svg"; filename*=UTF-8''${encodeURIComponent('ü "pic".svg')}`);

    const foreign = await app.inject({ method: 'GET', url, headers: as('other-key-0123456789abcdef') });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error_code).toBe('ITEM_NOT_FOUND');
    const unknown = await app.inject({ method: 'GET', url: `/api/items/${item.id}/attachments/nope`, headers: as('acme-key-0123456789abcdef') });
    expect(unknown.json()).toMatchObject({ error_code: 'NOT_FOUND', error_message: 'the item has no such attachment' });
    const missing = await app.inject({ method: 'GET', url: `/api/items/${item.id}/attachments/gone`, headers: as('acme-key-0123456789abcdef') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error_message).toContain('not downloaded');
    const unauthenticated = await app.inject({ method: 'GET', url });
    expect(unauthenticated.statusCode).toBe(401);
  });
});
