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
import { loadClient, measureRps } from './load.js';

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

export interface GetRatio {
  /** median req/s of the whole app over the rounds */
  ours: number;
  /** median req/s of the bare Fastify + ioredis route over the rounds */
  bare: number;
  /** median of the per-round ratios ours/bare */
  ratio: number;
  /**
   * requests per CPU-second of this process (load generator, both servers), ours over bare, over
   * all rounds: what the ratio would be with the process alone on its core. Redis is not counted.
   */
  cpuRatio: number;
}

export interface GetRatioOptions {
  /** entries in the record's imported_items (the record holds at most 1,000) [1000] */
  importedItems?: number;
  /** rounds; each loads both sides back to back, the order alternating [10] */
  rounds?: number;
  /** seconds each side is loaded per round [1] */
  seconds?: number;
  /** an open harness to use (else one is started and cleaned up) */
  harness?: Harness;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** A job record as the worker leaves it: taken, `items` imported_items saved through save.lua, completed. */
async function storedJob(h: Harness, items: number): Promise<string> {
  const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'get', count: 0 } }, ctx);
  if (items === 0) return job.job_id;
  const owner = 'bench';
  if (!(await h.deps.records.take(job.job_id, owner)).ok) throw new Error('bench: could not take the job');
  const refs = Array.from({ length: items }, (_, i) => ({ external_id: String(100_000 + i), key: `BENCH-${i + 1}`, item_id: randomUUID(), action: 'created' as const }));
  const progress = { ...emptyProgress(), total_items: items, processed_items: items, successful_items: items, percentage: 100 };
  const saved = await h.deps.records.saveProgress(job.job_id, owner, { progress, checkpoint: 'done', items: refs, counters: {} });
  if (!saved.ok) throw new Error('bench: progress not saved');
  if ((await h.deps.records.get(job.job_id))?.imported_items.length !== items) throw new Error('bench: imported_items not saved');
  if (!(await h.deps.records.transition(job.job_id, 'completed', {}, owner)).ok) throw new Error('bench: could not complete the job');
  return job.job_id;
}

/**
 * (a) GET /api/imports/{id} through the whole app vs a bare Fastify + ioredis GET of the same key,
 * interleaved: each round loads both, the order alternating, so machine load (other processes on the
 * 2 shared cores) hits both sides alike; the ratio is the median of the per-round ratios.
 */
export async function measureGetRatio(opts: GetRatioOptions = {}): Promise<GetRatio> {
  const { importedItems = 1000, rounds = 10, seconds = 1 } = opts;
  const h = opts.harness ?? (await startHarness({ worker: false }));
  try {
    const id = await storedJob(h, importedItems);
    const { app, origin } = await serveApp(h);
    const bare = Fastify();
    const key = h.deps.keys.record(id);
    bare.get('/job', async (_req, reply) => reply.type('application/json').send(await h.deps.redis.get(key)));
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareAddr = bare.server.address();
    const bareOrigin = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}`;
    const clients = { ours: loadClient(origin), bare: loadClient(bareOrigin) };
    const paths = { ours: `/api/imports/${id}`, bare: '/job' };
    try {
      const rps = { ours: [] as number[], bare: [] as number[] };
      const perCpu = { ours: { done: 0, cpuMs: 0 }, bare: { done: 0, cpuMs: 0 } };
      // Round -1 is a warm-up (JIT, connections), not counted.
      for (let r = -1; r < rounds; r++) {
        const order = r % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
        for (const side of order) {
          const result = await clients[side].run(paths[side], r < 0 ? 500 : seconds * 1000);
          if (result.errors > 0) throw new Error(`bench: ${result.errors} non-200 answers from ${side}`);
          if (r < 0) continue;
          rps[side].push(result.rps);
          perCpu[side].done += result.done;
          perCpu[side].cpuMs += result.cpuMs;
        }
      }
      const efficiency = (s: { done: number; cpuMs: number }) => s.done / s.cpuMs;
      return {
        ours: median(rps.ours),
        bare: median(rps.bare),
        ratio: median(rps.ours.map((o, i) => o / rps.bare[i]!)),
        cpuRatio: efficiency(perCpu.ours) / efficiency(perCpu.bare),
      };
    } finally {
      await Promise.all([clients.ours.close(), clients.bare.close()]);
      await bare.close();
      await app.close();
    }
  } finally {
    if (!opts.harness) await h.cleanup();
  }
}

async function getVsBare(h: Harness, print: (l: string) => void) {
  for (const importedItems of [0, 1000]) {
    const r = await measureGetRatio({ harness: h, importedItems });
    print(
      `(a) GET /api/imports/{id}, ${importedItems.toLocaleString('en')} imported_items: ${r.ours.toFixed(0)} req/s vs bare Fastify+ioredis ` +
        `${r.bare.toFixed(0)} req/s = ratio ${r.ratio.toFixed(2)} (median of 10 interleaved rounds); per CPU-second ${r.cpuRatio.toFixed(2)}`,
    );
  }
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
