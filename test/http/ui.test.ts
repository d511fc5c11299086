/**
 * Serving the dashboard (src/http/ui.ts) from a build directory made here: the app's files with
 * their caching and CSP, index.html for the app's own routes, no API key needed to load it,
 * a clear 503 while it is not built, and nothing of it in the OpenAPI document.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors } from '../../src/connectors/registry.js';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { registerAuth } from '../../src/http/plugins/auth.js';
import { registerErrorHandling } from '../../src/http/plugins/errors.js';
import { registerUi } from '../../src/http/ui.js';
import { DEFAULT_POLICY } from '../../src/policy.js';

const INDEX = '<!doctype html><title>dashboard</title><script type="module" src="/ui/assets/index-abc123.js"></script>';
const SCRIPT = 'console.log("app")';

let dir: string;
let app: FastifyInstance;

async function uiApp(buildDir: string): Promise<FastifyInstance> {
  const a = Fastify();
  registerErrorHandling(a);
  registerAuth(a, new Map([['k1', 'tenant-a']]));
  await registerUi(a, buildDir);
  a.get('/api/imports', async () => ({ jobs: [] }));
  await a.ready();
  return a;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'is-ui-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
  app = await uiApp(dir);
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard at /ui/', () => {
  it('serves index.html without an API key, revalidated each time, with a same-origin CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/ui/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The data calls still need the key.
    expect((await app.inject({ method: 'GET', url: '/api/imports' })).statusCode).toBe(401);
  });

  it('answers the app routes with index.html, so /ui/jobs/{id} loads directly', async () => {
    for (const url of ['/ui/jobs/0b7f3c9e-2f6a-4c1d-9e8b-5a4d3c2b1a09', '/ui/new', '/ui/syncs']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
    }
    const bare = await app.inject({ method: 'GET', url: '/ui' });
    expect(bare.statusCode).toBe(308);
    expect(bare.headers.location).toBe('/ui/');
  });

  it('serves hashed assets for a year, with an ETag that answers 304', async () => {
    const res = await app.inject({ method: 'GET', url: '/ui/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const again = await app.inject({ method: 'GET', url: '/ui/assets/index-abc123.js', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('a missing asset or a path outside the build is a 404 envelope, never a file from elsewhere', async () => {
    for (const url of ['/ui/assets/index-old999.js', '/ui/../package.json', '/ui/%2e%2e/%2e%2e/package.json', '/ui/favicon.ico']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('"dependencies"');
    }
    const res = await app.inject({ method: 'GET', url: '/ui/assets/index-old999.js' });
    expect(res.json()).toMatchObject({ error_code: 'NOT_FOUND' });
  });
});

describe('before the dashboard is built', () => {
  it('answers 503 saying to run npm run build, and serves the build once it appears', async () => {
    const later = await mkdtemp(join(tmpdir(), 'is-ui-later-'));
    const buildDir = join(later, 'ui');
    const a = await uiApp(buildDir);
    try {
      const res = await a.inject({ method: 'GET', url: '/ui/' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
      await mkdir(buildDir);
      await writeFile(join(buildDir, 'index.html'), INDEX);
      const built = await a.inject({ method: 'GET', url: '/ui/jobs/x' });
      expect(built.statusCode).toBe(200);
      expect(built.body).toBe(INDEX);
    } finally {
      await a.close();
      await rm(later, { recursive: true, force: true });
    }
  });
});

describe('in the whole app', () => {
  it('/ui routes are not part of the OpenAPI document', async () => {
    const unused = new Proxy({}, { get: () => { throw new Error('no handler runs here'); } });
    const full = await buildApp({
      jobs: unused as AppDeps['jobs'], items: unused as AppDeps['items'],
      health: async () => ({ redis: { status: 'down' }, database: { status: 'down' } }),
      connectors, apiKeys: null, version: 't', environment: 'test', logger: pino({ level: 'silent' }), policy: DEFAULT_POLICY.api,
    });
    try {
      const doc = full.swagger() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).some((p) => p.startsWith('/ui'))).toBe(false);
      expect(Object.keys(doc.paths)).toContain('/api/imports');
    } finally {
      await full.close();
    }
  });
});
