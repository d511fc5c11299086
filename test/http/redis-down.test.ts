import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import { seedPgliteDataDir } from '../support/store.js';
import { testConnectors } from '../support/test-connector.js';

// Nothing listens on port 1: Redis is "down" for the whole file.
let deps: Deps;
let app: FastifyInstance;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'is-redis-down-'));
  await seedPgliteDataDir(dataDir);
  const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1/0', DATA_DIR: dataDir });
  const logger = pino({ level: 'silent' });
  deps = await buildDeps(config, logger, { connectors: testConnectors });
  app = await buildApp({
    jobs: deps.jobs, items: deps.store, health: healthProbe(deps.apiRedis, deps.store), connectors: testConnectors,
    apiKeys: null, version: 't', environment: 'test', logger, policy: deps.policy.api,
  });
});
afterAll(async () => {
  await app.close();
  await deps.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('while Redis is unreachable', () => {
  it('/health answers 503 unhealthy with redis down and the database up', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unhealthy', checks: { redis: { status: 'down' }, database: { status: 'up' } } });
  });

  it('job routes answer 503 REDIS_UNAVAILABLE promptly instead of hanging or leaking a driver error', async () => {
    const started = Date.now();
    const get = await app.inject({ method: 'GET', url: '/api/imports/0b7f3c9e-2f6a-4c1d-9e8b-5a4d3c2b1a09' });
    const list = await app.inject({ method: 'GET', url: '/api/imports' });
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const res of [get, list]) {
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error_code: 'REDIS_UNAVAILABLE' });
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:1/);
    }
  });
});
