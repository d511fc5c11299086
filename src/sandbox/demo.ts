/**
 * The demo: the sandbox and a service of its own, one import from each of the four vendors
 * through the HTTP API, progress as it goes and a summary at the end. Needs only Redis; writes
 * to a temporary directory and its own Redis key prefix, and removes both when done.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRecord } from '../jobs/types.js';
import { importBody } from './commands.js';
import { details, progressLine, summaryTable, type DemoRow } from './demo-report.js';
import { dropRedisPrefix, redisProblem, safeRedisUrl, SERVICE_LOG, startDemoService, type DemoService } from './demo-service.js';
import { startSandbox, type Sandbox } from './sandbox.js';
import type { SandboxSource } from './source.js';

export interface DemoOptions {
  items: number;
  redisUrl: string;
  /** the whole run, start-up included */
  timeoutMs: number;
  out: (line: string) => void;
  signal?: AbortSignal;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** A source's progress line is printed at most this often (and whenever its status changes). */
const LINE_EVERY_MS = 1_000;
const POLL_MS = 300;

async function api<T>(service: DemoService, path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${service.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

async function createJob(service: DemoService, source: SandboxSource): Promise<{ id: string } | { problem: string }> {
  const r = await api<{ job_id?: string; error_code?: string; error_message?: string }>(service, '/api/imports', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: importBody(source),
  });
  if (r.status === 202 && r.body.job_id) return { id: r.body.job_id };
  return { problem: `the import was refused: ${r.status} ${r.body.error_code ?? ''} ${r.body.error_message ?? ''}`.trimEnd() };
}

async function failures(service: DemoService, jobId: string): Promise<DemoRow['failures']> {
  const r = await api<{ items: { external_id: string; key: string | null; error: string | null }[] }>(service, `/api/imports/${jobId}/items?action=failed&limit=20`);
  return r.status === 200 ? r.body.items.map((i) => ({ key: i.key ?? i.external_id, error: i.error ?? '' })) : [];
}

/** Polls every job until each has ended, printing progress; false when the time ran out or the run was stopped. */
async function watch(service: DemoService, jobs: Map<string, DemoRow & { id: string }>, o: DemoOptions, started: number, deadline: number): Promise<boolean> {
  const last = new Map<string, { at: number; state: string; status: string }>();
  for (;;) {
    if (o.signal?.aborted || Date.now() > deadline) return false;
    if (service.exitCode() !== null) throw new Error(`the service exited with code ${service.exitCode()} (log: ${service.logFile})`);
    let open = 0;
    for (const row of jobs.values()) {
      if (row.job && TERMINAL.has(row.job.status)) continue;
      const r = await api<JobRecord>(service, `/api/imports/${row.id}`);
      if (r.status !== 200) continue;
      row.job = r.body;
      const now = Date.now();
      const p = r.body.progress;
      const state = `${p.processed_items}/${p.total_items}/${p.failed_items}`;
      const prev = last.get(row.source);
      if (!prev || prev.status !== r.body.status || (prev.state !== state && now - prev.at >= LINE_EVERY_MS)) {
        o.out(progressLine(now - started, row.source, r.body));
        last.set(row.source, { at: now, state, status: r.body.status });
      }
      if (!TERMINAL.has(r.body.status)) open++;
    }
    if (open === 0) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Runs the demo; resolves to the process exit code (0: all four imports completed). */
export async function runDemo(o: DemoOptions): Promise<number> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const problem = await redisProblem(o.redisUrl);
  if (problem) {
    o.out(`The demo needs Redis and cannot reach it at ${safeRedisUrl(o.redisUrl)} (${problem}).`);
    o.out('Start one (`redis-server`, or `docker run -d -p 6379:6379 redis:7`) or point REDIS_URL at one, then run `npm run demo` again.');
    return 1;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'integration-service-demo-'));
  const prefix = `demo:${randomBytes(4).toString('hex')}:`;
  let sandbox: Sandbox | null = null;
  let service: DemoService | null = null;
  let ok = false;
  try {
    o.out(`Starting the sandbox: simulated Jira, ServiceNow, GitHub and GitLab on 127.0.0.1, ${o.items} items each…`);
    sandbox = await startSandbox({ items: o.items });
    for (const s of sandbox.sources) {
      o.out(`  ${s.label.padEnd(11)} ${s.baseUrl}${s.pacing ? `  (${s.pacing})` : ''}`);
    }
    o.out(`Starting the service (embedded database in ${dataDir}, Redis ${safeRedisUrl(o.redisUrl)} under the key prefix ${prefix})…`);
    service = await startDemoService({ dataDir, redisUrl: o.redisUrl, prefix, timeoutMs: Math.max(1_000, deadline - Date.now()) });
    o.out(`Service ready at ${service.url}. Importing from all four through POST /api/imports:`);
    const rows: DemoRow[] = [];
    const jobs = new Map<string, DemoRow & { id: string }>();
    for (const source of sandbox.sources) {
      const created = await createJob(service, source);
      if ('problem' in created) {
        rows.push({ source: source.type, job: null, failures: [], traffic: source.stats(), problem: created.problem });
        continue;
      }
      const row = { source: source.type, job: null, failures: [], traffic: source.stats(), id: created.id };
      rows.push(row);
      jobs.set(source.type, row);
    }
    const finished = await watch(service, jobs, o, started, deadline);
    for (const row of jobs.values()) row.failures = await failures(service, row.id);
    for (const [i, source] of sandbox.sources.entries()) rows[i]!.traffic = source.stats();
    o.out('');
    o.out(summaryTable(rows));
    o.out('(requests: what the service asked that vendor; limited: answered 429/403 for the rate limit and waited out)');
    const notes = details(rows);
    if (notes.length) {
      o.out('');
      o.out('Failed items (on purpose: the sandbox serves a few records that cannot be stored) and other problems:');
      for (const n of notes) o.out(`  ${n}`);
    }
    ok = finished && rows.every((r) => r.job?.status === 'completed');
    o.out('');
    if (!finished) o.out(o.signal?.aborted ? 'Stopped before every import ended.' : `Not every import ended within ${o.timeoutMs / 1000} s.`);
    o.out(ok ? `All four imports completed in ${((Date.now() - started) / 1000).toFixed(1)} s.` : 'Not all four imports completed.');
    return ok ? 0 : 1;
  } catch (err) {
    o.out(`demo failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await service?.stop();
    await sandbox?.close();
    await dropRedisPrefix(o.redisUrl, prefix).catch(() => {});
    const log = join(dataDir, SERVICE_LOG);
    if (!ok && existsSync(log)) o.out(`The service's log is kept in ${log}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}
