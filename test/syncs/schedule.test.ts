/**
 * Syncs on schedule across two worker processes (CONTRACT §11), SYNC_MIN_INTERVAL_S lowered to 1:
 * full then incremental runs, a full run again after full_every_seconds, never two runs at once
 * (from the job records' times), pause and resume, run now while running, failures counted, and
 * ticks missed while every worker was down made up once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startHarness, type Harness } from '../support/harness.js';
import { spawnWorker, stop } from '../support/processes.js';
import { until } from '../support/receiver.js';
import type { JobRecord } from '../../src/jobs/types.js';
import type { Sync } from '../../src/syncs/types.js';
import { AppError } from '../../src/errors.js';

let h: Harness;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await stop(c, 'SIGKILL');
  await h?.cleanup();
});

const BASE = 'http://test.local';
const TOKEN = 'sync-schedule-secret-token';

async function start(): Promise<void> {
  h = await startHarness({ worker: false, postgres: true, env: { SYNC_MIN_INTERVAL_S: '1' } });
}

/** Every run of the sync, oldest first, with the mode its queue entry ran in. */
async function runsOf(syncId: string): Promise<(JobRecord & { mode: string })[]> {
  const page = await h.deps.records.list({ tenant_id: null, limit: 500 });
  const runs = page.jobs.filter((j) => j.sync_id === syncId).sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  return Promise.all(runs.map(async (j) => ({ ...j, mode: (await h.deps.queue.getJob(j.job_id))?.data.options.mode ?? '?' })));
}

const sync = async (id: string): Promise<Sync> => (await h.deps.syncs.get(id, null, BASE))!;

/** No run started before the one before it had ended. */
function expectNoOverlap(runs: JobRecord[]): void {
  const ran = runs.filter((r) => r.started_at).sort((a, b) => Date.parse(a.started_at!) - Date.parse(b.started_at!));
  for (let i = 1; i < ran.length; i++) {
    const prev = ran[i - 1]!;
    expect(prev.completed_at, `run ${prev.job_id} ended before the next began`).not.toBeNull();
    expect(Date.parse(ran[i]!.started_at!)).toBeGreaterThanOrEqual(Date.parse(prev.completed_at!));
  }
}

const create = (scope: string, schedule: { every_seconds: number; full_every_seconds?: number }, config: Record<string, unknown> = {}) =>
  h.deps.syncs.create(
    { source_type: 'github', source_config: { base_url: 'https://source.example.com', scope, count: 6, token: TOKEN, ...config }, options: { batch_size: 2 }, schedule },
    { tenantId: 'acme', webhookBase: BASE },
  );

// Worker processes take a tsx start each: on a loaded 2-core machine that alone can take most of 30 s.
describe('syncs on schedule', { timeout: 120_000 }, () => {
  it('two workers: full, then incremental, full again after full_every_seconds, never overlapping; pause, resume, run now', async () => {
    await start();
    // every page takes 150 ms: a run (3 pages) spans more than one tick
    const env = { ...h.env, TEST_PAGE_DELAY_MS: '150' };
    children.push(await spawnWorker(env), await spawnWorker(env));
    const created = await create('two-workers', { every_seconds: 1, full_every_seconds: 4 });

    await until('two full runs with incremental ones between', async () => {
      const runs = await runsOf(created.sync_id);
      return runs.filter((r) => r.mode === 'full' && r.status === 'completed').length >= 2;
    }, 60_000);
    const runs = await runsOf(created.sync_id);
    expect(runs[0]!.mode).toBe('full');
    expect(runs.slice(1).some((r) => r.mode === 'incremental')).toBe(true);
    expect(runs.every((r) => r.sync_id === created.sync_id && r.tenant_id === 'acme')).toBe(true);
    expect(runs.filter((r) => r.status !== 'completed').length).toBeLessThanOrEqual(1); // at most the one in flight
    const fulls = runs.filter((r) => r.mode === 'full');
    // the second full run came once the first completed full run had begun 4 s before, not earlier
    expect(Date.parse(fulls[1]!.created_at) - Date.parse(fulls[0]!.started_at!)).toBeGreaterThanOrEqual(4000);
    expectNoOverlap(runs);
    const first = runs[0]!;
    expect(first.progress).toMatchObject({ processed_items: 6, successful_items: 6 });

    // run now while a run is going: 409; the sync reports its live status
    let conflict: unknown = null;
    await until('run now refused while a run is going', async () => {
      const s = await sync(created.sync_id);
      if (s.last_status !== 'processing') return false;
      conflict = await h.deps.syncs.runNow(created.sync_id, null, 'req-now').then(() => null, (e: unknown) => e);
      return conflict !== null;
    }, 30_000);
    expect(conflict).toBeInstanceOf(AppError);
    expect((conflict as AppError).code).toBe('SYNC_RUNNING');

    // pause: once the run in flight ended, no new run starts
    await h.deps.syncs.update(created.sync_id, null, { status: 'paused' }, BASE);
    await until('the last run ended', async () => (await runsOf(created.sync_id)).every((r) => r.completed_at !== null), 30_000);
    const pausedCount = (await runsOf(created.sync_id)).length;
    const pausedAt = Date.now();
    await until('three intervals passed', () => Date.now() - pausedAt > 3000, 10_000);
    expect((await runsOf(created.sync_id)).length).toBe(pausedCount);
    const paused = await sync(created.sync_id);
    expect(paused).toMatchObject({ status: 'paused', next_run_at: null, last_status: 'completed', consecutive_failures: 0 });

    // resume: runs again (incremental: the last full run is recent)
    await h.deps.syncs.update(created.sync_id, null, { status: 'active' }, BASE);
    await until('a run after resuming', async () => (await runsOf(created.sync_id)).length > pausedCount, 30_000);
    await h.deps.syncs.update(created.sync_id, null, { status: 'paused' }, BASE);
    await until('the last run ended', async () => (await runsOf(created.sync_id)).every((r) => r.completed_at !== null), 30_000);
    const all = await runsOf(created.sync_id);
    expectNoOverlap(all);
    const last = all[all.length - 1]!;
    await until('the last run counted', async () => (await sync(created.sync_id)).last_status === 'completed');
    expect(await sync(created.sync_id)).toMatchObject({ last_job_id: last.job_id, last_status: 'completed', consecutive_failures: 0, last_error: null });
  });

  it('counts failed runs in consecutive_failures with the reason', async () => {
    await start();
    children.push(await spawnWorker(h.env));
    const created = await create('failing', { every_seconds: 1 }, { fail_at_page: 0 });
    await until('two failures in a row', async () => (await sync(created.sync_id)).consecutive_failures >= 2, 60_000);
    const s = await sync(created.sync_id);
    expect(s.last_status).toBe('failed');
    expect(s.last_error).toContain('SOURCE_UNAVAILABLE');
    expect(s.last_error).not.toContain(TOKEN);
    // the first run failed, so every run so far was full: nothing completed a full import
    expect((await runsOf(created.sync_id)).every((r) => r.mode === 'full')).toBe(true);
  });

  it('ticks missed while every worker was down are made up once, and the schedule survives the restart', async () => {
    await start();
    let worker = await spawnWorker(h.env);
    children.push(worker);
    const created = await create('downtime', { every_seconds: 2 });
    await until('the first run completed', async () => (await sync(created.sync_id)).last_status === 'completed', 60_000);
    await stop(worker, 'SIGTERM');
    const before = (await runsOf(created.sync_id)).length;
    const downAt = Date.now();
    await until('four intervals passed with no worker', () => Date.now() - downAt > 8000, 15_000);
    // BullMQ holds one due tick for the scheduler, not one per missed interval
    const ticks = await h.deps.syncSchedules.queue.getJobs(['wait', 'delayed', 'prioritized']);
    expect(ticks.filter((t) => t.data.sync_id === created.sync_id)).toHaveLength(1);
    expect((await runsOf(created.sync_id)).length).toBe(before);

    worker = await spawnWorker(h.env);
    children.push(worker);
    await until('the made-up run completed', async () => (await runsOf(created.sync_id)).length > before, 60_000);
    const restartedAt = Date.now();
    await until('the made-up run ended', async () => (await runsOf(created.sync_id)).every((r) => r.completed_at !== null), 30_000);
    // one run for the four missed ticks; the next comes on the schedule (every 2 s), not at once
    const after = await runsOf(created.sync_id);
    const burst = after.slice(before).filter((r) => Date.parse(r.created_at) < restartedAt + 1000);
    expect(burst).toHaveLength(1);
    expect(after.slice(before)[0]!.mode).toBe('incremental');
    expect(Date.parse((await sync(created.sync_id)).next_run_at!)).toBeGreaterThan(Date.now() - 2000);
    expectNoOverlap(after);
  });
});
