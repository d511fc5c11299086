/**
 * Scale-out (issue #11 item 6), side by side in one run:
 *  (a) 1, 2 and 4 worker processes (the worker role, WORKER_CONCURRENCY 4) against one Redis and one
 *      PostgreSQL, 40 GitHub imports at once, each on its own fake (own origin and account, 10 ms
 *      latency, a 429-answering budget of FAKE_RATE requests per second): wall time from the first
 *      create to the last completion, items/s, 429s received across the fakes, and Redis commands
 *      per item (`INFO stats` total_commands_processed delta, less the bench's own polling).
 *  (b) GET /api/imports/{id} and GET /api/imports?limit=50 (first page and a deep page reached by
 *      cursor) with 100,000 job records, through the whole app in this process: p50/p95 ms of
 *      sequential requests.
 * Each process count gets a fresh PostgreSQL schema and Redis key prefix, dropped afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Pool } from 'undici';
import { loadConfig } from '../src/config.js';
import { connectors } from '../src/connectors/registry.js';
import { buildDeps } from '../src/deps.js';
import { buildApp } from '../src/http/app.js';
import { healthProbe } from '../src/http/health-probe.js';
import { emptyProgress } from '../src/jobs/create.js';
import type { JobRecord } from '../src/jobs/types.js';
import { GithubFake } from '../src/sandbox/fakes/github.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';
import type { SqlItemStore } from '../src/store/work-items.js';
import { startHarness, type Harness } from '../test/support/harness.js';
import { deletePrefix, TEST_REDIS_URL } from '../test/support/redis.js';
import { TEST_DATABASE_URL } from '../test/support/store.js';

const PROCESS_COUNTS = [1, 2, 4];
const JOBS = 40;
const ISSUES = Number(process.env.BENCH_SCALE_ISSUES ?? 500);
const COMMENTS_PER_ISSUE = 2;
const LATENCY_MS = Number(process.env.BENCH_SCALE_LATENCY_MS ?? 10);
const FAKE_RATE = Number(process.env.BENCH_SCALE_FAKE_RATE ?? 20);
const CONCURRENCY = 4;
const RECORDS = 100_000;
const SAMPLES = 300;
const DEEP_PAGES = 1000;
const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const ctx = { tenantId: null, requestId: 'bench', correlationId: null, idempotencyKey: null };

interface Figure {
  processes: number;
  seconds: number;
  items: number;
  refused: number;
  /** requests the fakes received, and the most any one fake received in one of its 1 s budget windows */
  requests: number;
  peakPerWindow: number;
  commandsPerItem: number;
  failed: number;
  /** CPU seconds of each worker process once ready, and of this process (fakes, creates, polls) over the run */
  workerCpu: number[];
  benchCpu: number;
  /** the whole machine's busy share over the run (/proc/stat, all cores: workers, bench, Redis, PostgreSQL, others) */
  machineBusy: number;
}

async function commandsProcessed(redis: Redis): Promise<number> {
  const m = /total_commands_processed:(\d+)/.exec(await redis.info('stats'));
  return Number(m![1]);
}

interface Worker {
  child: ChildProcess;
  out: () => string;
}

/** Busy and total jiffies of all cores (Linux); zeros elsewhere. */
function cpuTimes(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - (f[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function spawnWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const worker = { child, out: () => out };
  const deadline = Date.now() + 60_000;
  while (!out.includes('ready')) {
    if (child.exitCode !== null) throw new Error(`scale worker exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('scale worker did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return worker;
}

/** Stops the worker; the CPU seconds it reported (NaN if it did not). */
async function stopWorker({ child, out }: Worker): Promise<number> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  const at = (re: RegExp) => Number(re.exec(out())?.[1] ?? NaN);
  return at(/cpu ([\d.]+)/) - at(/ready ([\d.]+)/);
}

async function scaleRun(processes: number, fakes: GithubFake[]): Promise<Figure> {
  const prefix = `bench:scale:${randomUUID().slice(0, 8)}:`;
  const schema = `bench_${randomUUID().replaceAll('-', '')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'is-scale-'));
  const env: Record<string, string> = {
    REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATABASE_URL: TEST_DATABASE_URL, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
    CREDENTIALS_KEY: randomBytes(32).toString('base64'), SOURCE_ALLOW_PRIVATE_NETWORKS: 'true',
    WORKER_CONCURRENCY: String(CONCURRENCY), TENANT_MAX_RUNNING: '1000', STORE_SCHEMA: schema,
  };
  // The creating side (the API's part) in this process; it also migrates the schema before the workers open it.
  const deps = await buildDeps(loadConfig(env), pino({ level: 'silent' }), { connectors, storeSchema: schema });
  const info = new Redis(TEST_REDIS_URL);
  const workers: Worker[] = [];
  let measured: Omit<Figure, 'workerCpu'> | null = null;
  try {
    workers.push(...(await Promise.all(Array.from({ length: processes }, () => spawnWorker(env)))));
    for (const fake of fakes) fake.requests.length = 0;
    const before = await commandsProcessed(info);
    const cpu0 = process.cpuUsage();
    const machine0 = cpuTimes();
    const t0 = performance.now();
    const ids = await Promise.all(fakes.map(async (fake) => (await deps.jobs.create({
      source_type: 'github', source_config: { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo },
    }, ctx)).job.job_id));
    const keys = ids.map((id) => deps.keys.record(id));
    let polls = 0;
    let jobs: JobRecord[] = [];
    for (;;) {
      polls++;
      jobs = (await deps.redis.mget(...keys)).map((j) => JSON.parse(j!) as JobRecord);
      if (jobs.every((j) => ['completed', 'failed', 'cancelled'].includes(j.status))) break;
      if (performance.now() - t0 > 600_000) throw new Error('scale run did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const machine1 = cpuTimes();
    // The two INFO calls and every poll are the bench's, not the service's.
    const commands = (await commandsProcessed(info)) - before - polls - 1;
    const items = jobs.reduce((n, j) => n + j.progress.successful_items, 0);
    const refused = fakes.reduce((n, f) => n + f.requests.filter((q) => q.status === 429 || q.status === 403).length, 0);
    const windows = fakes.flatMap((f) => {
      const perWindow = new Map<number, number>();
      for (const q of f.requests) perWindow.set(Math.floor(q.at / 1000), (perWindow.get(Math.floor(q.at / 1000)) ?? 0) + 1);
      return [...perWindow.values()];
    });
    measured = {
      processes, seconds, items, refused, requests: fakes.reduce((n, f) => n + f.requests.length, 0), peakPerWindow: Math.max(...windows), commandsPerItem: commands / items, failed: jobs.filter((j) => j.status !== 'completed').length,
      benchCpu: (cpu.user + cpu.system) / 1e6, machineBusy: (machine1.busy - machine0.busy) / (machine1.total - machine0.total || 1),
    };
  } finally {
    const workerCpu = await Promise.all(workers.map(stopWorker));
    if (measured) Object.assign(measured, { workerCpu });
    await (deps.store as SqlItemStore).db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await deletePrefix(deps.redis, prefix);
    await deps.close();
    info.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  }
  return measured as Figure;
}

function record(i: number): JobRecord {
  const now = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
  return {
    job_id: randomUUID(), request_id: randomUUID(), status: 'completed', source_type: 'github',
    source: { base_url: 'https://api.github.com', scope: 'bench/scale' }, created_at: now, updated_at: now,
    started_at: now, completed_at: now, progress: emptyProgress(), imported_items: [],
    error_code: null, error_message: null, tenant_id: 'bench', correlation_id: null,
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timed(pool: Pool, paths: () => string, n: number): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const t = performance.now();
    const res = await pool.request({ path: paths(), method: 'GET' });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`GET answered ${res.statusCode}`);
    if (i >= 20) ms.push(performance.now() - t); // the first 20 warm up
  }
  ms.sort((a, b) => a - b);
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
}

async function latencies(h: Harness, print: (l: string) => void): Promise<void> {
  const t0 = performance.now();
  const ids: string[] = [];
  for (let made = 0; made < RECORDS; made += 1000) {
    const batch = Array.from({ length: 1000 }, (_, i) => record(made + i));
    await Promise.all(batch.map((r) => h.deps.records.create(r, '', null)));
    ids.push(...batch.map((r) => r.job_id));
  }
  print(`(b) ${RECORDS.toLocaleString('en')} job records written through the create script (1,000 at a time) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const app = await buildApp({
    jobs: h.deps.jobs, items: h.deps.store, health: healthProbe(h.deps.apiRedis, h.deps.store), connectors: h.deps.connectors,
    apiKeys: null, version: 'bench', environment: 'bench', logger: pino({ level: 'silent' }), policy: h.deps.policy.api,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const pool = new Pool(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, { connections: 1 });
  try {
    const list = '/api/imports?tenant_id=bench&limit=50';
    let cursor: string | null = null;
    for (let page = 0; page < DEEP_PAGES; page++) {
      const res = await pool.request({ path: cursor ? `${list}&cursor=${cursor}` : list, method: 'GET' });
      const body = (await res.body.json()) as { jobs: unknown[]; total: number; next_cursor: string | null };
      if (page === 0 && body.total !== RECORDS) throw new Error(`list total ${body.total}, expected ${RECORDS}`);
      cursor = body.next_cursor;
    }
    const rows: [string, { p50: number; p95: number }][] = [
      ['GET /api/imports/{id} (random of 100k)', await timed(pool, () => `/api/imports/${ids[Math.floor(Math.random() * ids.length)]}`, SAMPLES)],
      ['GET /api/imports?limit=50, first page', await timed(pool, () => list, SAMPLES)],
      [`GET /api/imports?limit=50, page ${DEEP_PAGES + 1} by cursor`, await timed(pool, () => `${list}&cursor=${cursor}`, SAMPLES)],
    ];
    print(`(b) ${SAMPLES} sequential requests each (after 20 to warm up), one connection, app in this process, ${RECORDS.toLocaleString('en')} records:`);
    for (const [label, q] of rows) print(`    ${label.padEnd(48)} p50 ${q.p50.toFixed(2).padStart(6)} ms   p95 ${q.p95.toFixed(2).padStart(6)} ms`);
  } finally {
    await pool.close();
    await app.close();
  }
}

export async function run(print: (line: string) => void): Promise<void> {
  print(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; the fakes and this process share them with the workers)`);
  const fakes = await Promise.all(Array.from({ length: JOBS }, (_, i) => started(new GithubFake({
    owner: 'scale', repo: `repo-${i}`, issues: ISSUES, prEvery: 0, commentsFor: () => COMMENTS_PER_ISSUE, latencyMs: LATENCY_MS,
    rateLimit: { limit: FAKE_RATE, windowMs: 1000, status: 429 },
  }))));
  const figures: Figure[] = [];
  try {
    for (const n of PROCESS_COUNTS) figures.push(await scaleRun(n, fakes));
  } finally {
    await Promise.all(fakes.map((f) => f.close()));
  }
  print(`(a) ${JOBS} GitHub imports at once, each on its own fake (${ISSUES} issues x ${COMMENTS_PER_ISSUE} comments, ${LATENCY_MS} ms latency, ` +
    `${FAKE_RATE} req/s then 429), WORKER_CONCURRENCY ${CONCURRENCY}, one Redis, one PostgreSQL:`);
  print('    processes   wall s   items/s   vs 1 process   429s   Redis cmds/item   not completed   machine busy   CPU s: each worker (once ready) / bench process (fakes)');
  const base = figures[0]!;
  for (const f of figures) {
    const rate = f.items / f.seconds;
    print(`    ${String(f.processes).padStart(9)}   ${f.seconds.toFixed(2).padStart(6)}   ${rate.toFixed(0).padStart(7)}   ${(rate / (base.items / base.seconds)).toFixed(2).padStart(11)}x   ` +
      `${String(f.refused).padStart(4)}   ${f.commandsPerItem.toFixed(2).padStart(15)}   ${String(f.failed).padStart(13)}   ${(f.machineBusy * 100).toFixed(0).padStart(11)}%   ` +
      `${f.workerCpu.map((c) => c.toFixed(1)).join(' + ')} / ${f.benchCpu.toFixed(1)}   ` +
      `(${f.items.toLocaleString('en')} items, ${f.requests} requests, at most ${f.peakPerWindow} to one fake in one 1 s window)`);
  }
  const h = await startHarness({ worker: false, postgres: true });
  try {
    await latencies(h, print);
  } finally {
    await h.cleanup();
  }
}
