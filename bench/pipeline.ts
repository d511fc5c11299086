/**
 * Pipeline throughput (issue #11 item 5): items per second through the worker, run-import and the
 * item store with no source latency — the test connector (items generated in memory) in pages of
 * the default batch_size, into the embedded database (PGlite) or PostgreSQL. Besides the rate it
 * reports where the run's time went: the store's batch writes (normalized items → one upsert
 * statement), the job record's progress saves in Redis, and the rest (connector, normalization,
 * queue, the wait for completion), summed over the run from timers around the two calls.
 */
import { DEFAULT_OPTIONS } from '../src/jobs/create.js';
import { startHarness } from '../test/support/harness.js';

export interface PipelineFigures {
  items: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds of this process (worker, PGlite, bench) over the run */
  cpuSeconds: number;
  /** wall seconds inside store.upsertBatch and records.saveProgress */
  storeSeconds: number;
  saveSeconds: number;
}

const ctx = { tenantId: null, requestId: 'bench', correlationId: null, idempotencyKey: null };

/** Wraps `obj[name]` (an async method) to add its wall time to `into.ms`. */
function timed(obj: object, name: string, into: { ms: number }): void {
  const target = obj as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[name]!.bind(obj);
  target[name] = async (...args: unknown[]) => {
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      into.ms += performance.now() - t0;
    }
  };
}

export async function measurePipeline(opts: { count?: number; postgres?: boolean } = {}): Promise<PipelineFigures> {
  const count = opts.count ?? 10_000;
  const h = await startHarness({ postgres: opts.postgres ?? false });
  try {
    const store = { ms: 0 };
    const save = { ms: 0 };
    timed(h.deps.store, 'upsertBatch', store);
    timed(h.deps.records, 'saveProgress', save);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const { job } = await h.deps.jobs.create({
      source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'pipe', count }, options: { batch_size: DEFAULT_OPTIONS.batch_size },
    }, ctx);
    const done = await h.waitFor(job.job_id, undefined, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (done.progress.successful_items !== count) throw new Error(`pipeline bench stored ${done.progress.successful_items} of ${count} items`);
    return {
      items: count, seconds, perSecond: count / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      storeSeconds: store.ms / 1000, saveSeconds: save.ms / 1000,
    };
  } finally {
    await h.cleanup();
  }
}

export function describe(name: string, f: PipelineFigures): string {
  const rest = f.seconds - f.storeSeconds - f.saveSeconds;
  return `  ${name.padEnd(10)} ${f.perSecond.toFixed(0).padStart(6)} items/s  (${f.items.toLocaleString('en')} in ${f.seconds.toFixed(2)} s, ` +
    `process CPU ${f.cpuSeconds.toFixed(2)} s; store writes ${f.storeSeconds.toFixed(2)} s, progress saves ${f.saveSeconds.toFixed(2)} s, rest ${rest.toFixed(2)} s)`;
}

export async function run(print: (line: string) => void): Promise<void> {
  print(`pipeline, test connector (no source latency), 10,000 items in batches of ${DEFAULT_OPTIONS.batch_size}`);
  print(describe('PGlite', await measurePipeline()));
  print(describe('PostgreSQL', await measurePipeline({ postgres: true })));
}
