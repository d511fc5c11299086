/**
 * Core benchmarks, side by side in one run:
 *  (a) GET /api/imports/{id} through the whole app vs a bare Fastify + ioredis GET of the same key;
 *  (b) first-page list throughput with 10,000 and with 100,000 records indexed (should not grow);
 *  (c) items/s through worker + run-import + store with the test connector, PGlite vs PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../src/http/app.js';
import { healthProbe } from '../src/http/health-probe.js';
import { emptyProgress } from '../src/jobs/create.js';
import type { JobRecord } from '../src/jobs/types.js';
import { startHarness, type Harness } from '../test/support/harness.js';
import { measureRps } from './load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ctx = { tenantId: null, requestId: 'bench', correlationId: null, idempotencyKey: null };

async function serveApp(h: Harness) {
  const app = await buildApp({
    jobs: h.deps.jobs, items: h.deps.store, health: healthProbe(h.deps.apiRedis, h.deps.store), connectors: h.deps.connectors,
    apiKeys: null, version: 'bench', environment: 'bench', logger: pino({ level: 'silent' }), policy: h.deps.policy.api,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

function record(i: number): JobRecord {
  const now = new Date(Date.now() - i).toISOString();
  return {
    job_id: randomUUID(), request_id: randomUUID(), status: 'completed', source_type: 'jira',
    source: { base_url: 'https://acme.atlassian.net', scope: 'BENCH' }, created_at: now, updated_at: now,
    started_at: now, completed_at: now, progress: emptyProgress(), imported_items: [],
    error_code: null, error_message: null, tenant_id: 'bench', correlation_id: null,
  };
}

async function getVsBare(h: Harness, print: (l: string) => void) {
  const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'get', count: 0 } }, ctx);
  const { app, origin } = await serveApp(h);
  const bare = Fastify();
  const key = h.deps.keys.record(job.job_id);
  bare.get('/job', async (_req, reply) => reply.type('application/json').send(await h.deps.redis.get(key)));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddr = bare.server.address();
  const bareOrigin = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}`;
  const ours = await measureRps(origin, `/api/imports/${job.job_id}`, SECONDS * 1000);
  const base = await measureRps(bareOrigin, '/job', SECONDS * 1000);
  print(`(a) GET /api/imports/{id}: ${ours.rps.toFixed(0)} req/s vs bare Fastify+ioredis ${base.rps.toFixed(0)} req/s = ratio ${(ours.rps / base.rps).toFixed(2)}`);
  await bare.close();
  await app.close();
}

async function listScaling(h: Harness, print: (l: string) => void) {
  const { app, origin } = await serveApp(h);
  const rates: number[] = [];
  let created = 0;
  for (const target of [10_000, 100_000]) {
    while (created < target) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => h.deps.records.create(record(created + i), '', null)));
      created += 500;
    }
    const r = await measureRps(origin, '/api/imports?tenant_id=bench&limit=50', SECONDS * 1000);
    rates.push(r.rps);
    print(`(b) GET /api/imports?limit=50 with ${target.toLocaleString('en')} records: ${r.rps.toFixed(0)} req/s`);
  }
  print(`(b) list throughput 100k / 10k = ${(rates[1]! / rates[0]!).toFixed(2)} (1.00 = does not grow with the count)`);
  await app.close();
}

async function pipeline(postgres: boolean): Promise<number> {
  const h = await startHarness({ postgres });
  try {
    const count = 5000;
    const started = Date.now();
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'pipe', count }, options: { batch_size: 100 } }, ctx);
    const done = await h.waitFor(job.job_id, undefined, 300_000);
    if (done.progress.successful_items !== count) throw new Error('pipeline bench lost items');
    return count / ((Date.now() - started) / 1000);
  } finally {
    await h.cleanup();
  }
}

export async function run(print: (line: string) => void): Promise<void> {
  const h = await startHarness({ worker: false });
  try {
    await getVsBare(h, print);
    await listScaling(h, print);
  } finally {
    await h.cleanup();
  }
  const lite = await pipeline(false);
  const pg = await pipeline(true);
  print(`(c) pipeline, test connector, 5,000 items in batches of 100: PGlite ${lite.toFixed(0)} items/s, PostgreSQL ${pg.toFixed(0)} items/s (PG/PGlite ${(pg / lite).toFixed(2)})`);
}
