/**
 * The embedded default (issue #11 item 3): `npm start` with DATABASE_URL unset, so the item
 * store is PGlite in DATA_DIR. Measured on the built service exactly as `npm start` runs it
 * (scripts/start.mjs → dist/), in a child process of its own; the GitHub fake runs in another
 * (bench/memory-child.ts), so its copy of the data is not counted.
 *  - start on a fresh data dir: spawn → first GET /health 200 (PGlite's initdb + migrations);
 *  - import 10,000 GitHub issues with comments (n % 5 each) through POST /api/imports, default
 *    options; peak RSS is the kernel's high-water mark of the process (VmHWM), start included;
 *  - SIGTERM, start again on the same data dir: spawn → /health 200, then the idle RSS (VmRSS)
 *    once the process has been healthy and quiet for IDLE_SETTLE_MS.
 * `npm run bench -- embedded`. Needs Redis on 127.0.0.1:6379 (db BENCH_REDIS_DB, default 14).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { buildFreshness } from '../scripts/build-freshness.mjs';
import { deletePrefix } from '../test/support/redis.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const ITEMS = 10_000;
const GOAL_RSS_MIB = 300;
const GOAL_START_S = 3;
const IDLE_SETTLE_MS = 3_000;
const START_TIMEOUT_MS = 120_000;
const IMPORT_TIMEOUT_MS = 3_600_000;

export interface EmbeddedFigures {
  peakRssMiB: number;
  idleRssMiB: number;
  /** process start → /health 200 on a fresh data dir */
  startSeconds: number;
  /** the same on the data dir the import filled */
  startSecondsExisting: number;
}

/** What else the run saw: CPU seconds do not grow with the machine's load as wall time does. */
interface Details {
  startCpuSeconds: number;
  startCpuSecondsExisting: number;
  importSeconds: number;
  importCpuSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A field of /proc/<pid>/status in MiB (VmHWM = peak resident set, VmRSS = current). */
function procMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for process ${pid}`);
  return Math.round(Number(m[1]) / 1024);
}

/** user + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function ensureBuilt(): void {
  const freshness = buildFreshness(ROOT);
  if (!freshness.stale) return;
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

interface Service {
  proc: ChildProcess;
  base: string;
  /** seconds from spawn to the first /health 200 */
  startSeconds: number;
  startCpuSeconds: number;
}

async function startService(env: NodeJS.ProcessEnv, port: number): Promise<Service> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), 'all'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`service exited ${proc.exitCode} before /health answered`);
    const ok = await fetch(`${base}/health`).then((r) => r.status === 200, () => false);
    if (ok) return { proc, base, startSeconds: (performance.now() - t0) / 1000, startCpuSeconds: cpuSeconds(proc.pid!) };
    await sleep(25);
  }
  proc.kill('SIGKILL');
  throw new Error('service not healthy in time');
}

async function stopService(s: Service): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
}

async function importAll(base: string, sourceConfig: object): Promise<void> {
  const created = await fetch(`${base}/api/imports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source_type: 'github', source_config: sourceConfig }),
  });
  if (created.status !== 202) throw new Error(`POST /api/imports answered ${created.status}: ${await created.text()}`);
  const { job_id } = (await created.json()) as { job_id: string };
  const deadline = Date.now() + IMPORT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${base}/api/imports/${job_id}`)).json()) as {
      status: string; error_code: string | null; progress: { successful_items: number };
    };
    if (job.status === 'completed') {
      if (job.progress.successful_items !== ITEMS) throw new Error(`imported ${job.progress.successful_items} of ${ITEMS}`);
      return;
    }
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`import ended ${job.status}: ${job.error_code}`);
    await sleep(250);
  }
  throw new Error('import did not end in time');
}

/** Serves the GitHub fake in its own process; resolves with its source_config and a stop(). */
async function startFake(): Promise<{ config: object; stop: () => Promise<void> }> {
  const proc = spawn(TSX, [CHILD, 'fake', String(ITEMS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`GitHub fake exited ${code}`)));
  });
  const { base_url, token, owner, repo } = JSON.parse(line) as Record<string, string>;
  const exited = new Promise((r) => proc.once('exit', r));
  return { config: { base_url, token, owner, repo }, stop: async () => void (proc.stdin!.end(), await exited) };
}

export async function measureEmbedded(): Promise<EmbeddedFigures> {
  const { details: _details, ...figures } = await measure();
  return figures;
}

async function measure(): Promise<EmbeddedFigures & { details: Details }> {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
  const prefix = `bench-emb-${randomUUID().slice(0, 8)}:`;
  const redisUrl = `redis://127.0.0.1:6379/${Number(process.env.BENCH_REDIS_DB ?? 14)}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix,
    SOURCE_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.APP_ENV;
  delete env.API_KEYS;
  const fake = await startFake();
  let service: Service | null = null;
  try {
    service = await startService(env, port);
    const { startSeconds, startCpuSeconds } = service;
    const t0 = performance.now();
    await importAll(service.base, fake.config);
    const importSeconds = (performance.now() - t0) / 1000;
    const importCpuSeconds = cpuSeconds(service.proc.pid!) - startCpuSeconds;
    const peakRssMiB = procMiB(service.proc.pid!, 'VmHWM');
    await stopService(service);
    service = await startService(env, port);
    const { startSeconds: startSecondsExisting, startCpuSeconds: startCpuSecondsExisting } = service;
    await sleep(IDLE_SETTLE_MS);
    const idleRssMiB = procMiB(service.proc.pid!, 'VmRSS');
    return {
      peakRssMiB, idleRssMiB, startSeconds, startSecondsExisting,
      details: { startCpuSeconds, startCpuSecondsExisting, importSeconds, importCpuSeconds },
    };
  } finally {
    if (service) await stopService(service);
    await fake.stop();
    rmSync(dataDir, { recursive: true, force: true });
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await deletePrefix(redis, prefix).finally(() => redis.disconnect());
  }
}


const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

export async function run(print: (line: string) => void): Promise<void> {
  print(`npm start with the embedded database (PGlite), ${ITEMS.toLocaleString('en')} GitHub issues with comments, default options`);
  const f = await measure();
  const d = f.details;
  print(`  peak RSS during the import      ${String(f.peakRssMiB).padStart(5)} MiB   (goal ≤ ${GOAL_RSS_MIB} MiB: ${verdict(f.peakRssMiB <= GOAL_RSS_MIB)})`);
  print(`  idle RSS after restart          ${String(f.idleRssMiB).padStart(5)} MiB   (goal ≤ ${GOAL_RSS_MIB} MiB: ${verdict(f.idleRssMiB <= GOAL_RSS_MIB)})`);
  print(`  start → /health 200, fresh dir  ${f.startSeconds.toFixed(2).padStart(5)} s     (goal ≤ ${GOAL_START_S} s: ${verdict(f.startSeconds <= GOAL_START_S)}; ${d.startCpuSeconds.toFixed(2)} CPU s)`);
  print(`  start → /health 200, existing   ${f.startSecondsExisting.toFixed(2).padStart(5)} s     (goal ≤ ${GOAL_START_S} s: ${verdict(f.startSecondsExisting <= GOAL_START_S)}; ${d.startCpuSecondsExisting.toFixed(2)} CPU s)`);
  print(`  the import                      ${d.importSeconds.toFixed(1).padStart(5)} s     (${d.importCpuSeconds.toFixed(1)} CPU s of the service; load average ${loadavg()[0]!.toFixed(1)} at the end)`);
}
