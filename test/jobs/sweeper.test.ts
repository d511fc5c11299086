/**
 * The sweeper (issue 8): a pending job whose queue entry was lost between create and enqueue is
 * queued again and runs exactly once; a healthy pending job is never queued twice; expired ids
 * leave the global and per-tenant indexes without any listing call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Worker } from 'bullmq';
import { startHarness, type Harness } from '../support/harness.js';
import { createWorker } from '../../src/deps.js';
import { scheduleSweeper, sweepOnce, type SweeperDeps } from '../../src/jobs/sweeper.js';
import { QUEUE_NAME } from '../../src/jobs/queue.js';
import { fetchedPages } from '../support/test-connector.js';
import { TEST_POLICY } from '../support/policy.js';
import type { ImportWorker } from '../../src/jobs/worker.js';

let h: Harness | null = null;
let worker: ImportWorker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
  await h?.cleanup();
  h = null;
});

const ctx = (tenantId: string | null = null) => ({ tenantId, requestId: 'r', correlationId: null, idempotencyKey: null });
const body = (scope: string, count = 25) => ({
  source_type: 'github' as const, source_config: { base_url: 'https://example.com', scope, count }, options: { batch_size: 10 },
});

function sweeperDeps(h: Harness, policy: Partial<SweeperDeps['policy']> = {}): SweeperDeps & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return {
    redis: h.deps.redis, keys: h.deps.keys, records: h.deps.records, queue: h.deps.queue, ttlSeconds: h.deps.config.jobTtlSeconds,
    logger, policy: { ...TEST_POLICY.sweeper, ...policy }, lines,
  };
}

/** As the sweeper sees the queue once the grace period has passed. */
const afterGrace = () => Date.now() + TEST_POLICY.sweeper.pendingGraceMs + 1000;

describe('the sweeper of lost pending jobs', { timeout: 60_000 }, () => {
  it('queues a job whose entry was lost again, once, and it runs to completion exactly once; a healthy pending job is left alone', async () => {
    h = await startHarness({ worker: false });
    const lost = (await h.deps.jobs.create(body('sweep-lost'), ctx())).job;
    const healthy = (await h.deps.jobs.create(body('sweep-healthy'), ctx())).job;
    await h.deps.queue.remove(lost.job_id); // the enqueue that never happened
    expect(await h.deps.queue.getJobState(lost.job_id)).toBe('unknown');
    const s = sweeperDeps(h);

    // Within the grace period a pending job may still be on its way into the queue.
    expect((await sweepOnce(s)).requeued).toEqual([]);
    expect(await h.deps.queue.getJobState(lost.job_id)).toBe('unknown');

    // Two processes sweeping at the same moment: the entry exists once.
    const [a, b] = await Promise.all([sweepOnce(s, afterGrace()), sweepOnce(s, afterGrace())]);
    expect([...a.requeued, ...b.requeued]).toContain(lost.job_id);
    expect([...a.requeued, ...b.requeued]).not.toContain(healthy.job_id);
    expect(await h.deps.queue.getJobState(lost.job_id)).toBe('waiting');
    expect(await h.deps.queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
    const line = s.lines.find((l) => l.job_id === lost.job_id);
    expect(line).toMatchObject({ msg: expect.stringContaining('queued again'), queue_state: 'unknown' });

    // A later pass finds both entries in place.
    expect((await sweepOnce(s, afterGrace())).requeued).toEqual([]);

    worker = createWorker(h.deps);
    await worker.start();
    for (const job of [lost, healthy]) {
      const done = await h.waitFor(job.job_id);
      expect(done.status).toBe('completed');
      expect(done.progress).toMatchObject({ total_items: 25, processed_items: 25, successful_items: 25, skipped_items: 0 });
    }
    // Each of the 3 pages of each job was fetched once: no job ran twice.
    for (const scope of ['sweep-lost', 'sweep-healthy']) {
      expect(fetchedPages.filter((p) => p.scope === scope).map((p) => p.page)).toEqual([0, 1, 2]);
    }
    expect((await sweepOnce(s, afterGrace())).requeued).toEqual([]);
  });

  it('a create whose enqueue fails is still accepted (no second job on retry), and the sweeper runs it', async () => {
    h = await startHarness({ worker: false });
    const add = h.deps.queue.add.bind(h.deps.queue);
    h.deps.queue.add = () => Promise.reject(new Error('Connection is closed.')); // Redis dropped after the record was written
    const created = await h.deps.jobs.create(body('sweep-dropped'), ctx()).finally(() => (h!.deps.queue.add = add));
    expect(created).toMatchObject({ created: true, job: { status: 'pending' } });
    const id = created.job.job_id;
    expect(await h.deps.queue.getJobState(id)).toBe('unknown');
    expect((await sweepOnce(sweeperDeps(h), afterGrace())).requeued).toEqual([id]);
    worker = createWorker(h.deps);
    await worker.start();
    expect(await h.waitFor(id)).toMatchObject({ status: 'completed', progress: { processed_items: 25 } });
  });

  it('retries an entry that ended in the queue while its record never left pending', async () => {
    h = await startHarness({ worker: false });
    const { job } = await h.deps.jobs.create(body('sweep-died'), ctx());
    // A run that died before taking the job: BullMQ marks the entry failed, the record stays pending.
    const dying = new Worker(QUEUE_NAME, async () => {
      throw new Error('died before taking the job');
    }, { connection: h.deps.redis.duplicate(), prefix: h.deps.keys.queuePrefix });
    try {
      const deadline = Date.now() + 20_000;
      while ((await h.deps.queue.getJobState(job.job_id)) !== 'failed') {
        if (Date.now() > deadline) throw new Error('the entry never failed');
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await dying.close();
    }
    expect((await h.deps.records.get(job.job_id))!.status).toBe('pending');
    const s = sweeperDeps(h);
    expect((await sweepOnce(s, afterGrace())).requeued).toEqual([job.job_id]);
    expect(s.lines.find((l) => l.job_id === job.job_id)).toMatchObject({ queue_state: 'failed' });
    worker = createWorker(h.deps);
    await worker.start();
    expect(await h.waitFor(job.job_id)).toMatchObject({ status: 'completed', progress: { processed_items: 25 } });
    expect(fetchedPages.filter((p) => p.scope === 'sweep-died').map((p) => p.page)).toEqual([0, 1, 2]);
  });

  it('fails a lost job it cannot queue again, and one lost more often than maxRequeues, with INTERNAL_ERROR', async () => {
    h = await startHarness({ worker: false });
    const s = sweeperDeps(h, { maxRequeues: 2 });
    // Created before the queue entry's data was kept beside the record:
    const old = (await h.deps.jobs.create(body('sweep-old'), ctx())).job;
    await h.deps.queue.remove(old.job_id);
    await h.deps.redis.del(h.deps.keys.dispatch(old.job_id));
    // Lost again and again:
    const circling = (await h.deps.jobs.create(body('sweep-circling'), ctx())).job;
    for (let i = 0; i < 2; i++) {
      await h.deps.queue.remove(circling.job_id);
      expect((await sweepOnce(s, afterGrace())).requeued).toEqual([circling.job_id]);
    }
    await h.deps.queue.remove(circling.job_id);
    const last = await sweepOnce(s, afterGrace());
    expect(last.requeued).toEqual([]);
    expect(last.failed).toContain(circling.job_id);
    expect(await h.deps.records.get(old.job_id)).toMatchObject({ status: 'failed', error_code: 'INTERNAL_ERROR', error_message: expect.stringContaining('cannot be queued again') });
    expect(await h.deps.records.get(circling.job_id)).toMatchObject({ status: 'failed', error_code: 'INTERNAL_ERROR', error_message: 'the queue lost this job 2 times' });
  });

  it('on a schedule in many processes, one pass per interval runs deployment-wide', async () => {
    h = await startHarness({ worker: false });
    const { job } = await h.deps.jobs.create(body('sweep-scheduled'), ctx());
    await h.deps.queue.remove(job.job_id);
    const processes = [0, 1, 2].map(() => sweeperDeps(h!, { pendingGraceMs: 0, everyMs: 60_000 }));
    const stops = processes.map((p) => scheduleSweeper(p));
    // Every process's first attempt has ended once its schedule is stopped.
    await Promise.all(stops.map((stop) => stop()));
    expect(await h.deps.queue.getJobState(job.job_id)).toBe('waiting');
    const logged = processes.flatMap((p) => p.lines.filter((l) => l.job_id === job.job_id));
    expect(logged).toHaveLength(1);
    expect(await h.deps.redis.pttl(h.deps.keys.sweeperLock)).toBeGreaterThan(50_000);
  });

  it('pages through a pending backlog: jobs behind a full batch are reached by later passes', async () => {
    h = await startHarness({ worker: false });
    const s = sweeperDeps(h, { pendingBatch: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.deps.jobs.create(body(`sweep-page-${i}`), ctx())).job.job_id);
    await h.deps.queue.remove(ids[4]!);
    const requeued: string[] = [];
    for (let i = 0; i < 3; i++) requeued.push(...(await sweepOnce(s, afterGrace())).requeued);
    expect(requeued).toEqual([ids[4]]);
  });
});

describe('pruning the job indexes', () => {
  it('drops expired ids from the global and per-tenant indexes without any listing call, bounded per pass, and keeps live ones', async () => {
    h = await startHarness({ worker: false });
    const { redis, keys } = h.deps;
    const expired: string[] = [];
    for (let i = 0; i < 6; i++) expired.push((await h.deps.jobs.create(body(`prune-${i}`), ctx(i % 2 ? 'acme' : null))).job.job_id);
    // one of them ended before it expired: it sits in the completed indexes
    await h.deps.records.transition(expired[0]!, 'cancelled');
    const live = (await h.deps.jobs.create(body('prune-live'), ctx('acme'))).job.job_id;
    for (const id of expired) await redis.del(keys.record(id)); // as if their TTL ran out
    const indexKeys = async () => {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${keys.indexPrefix}*`, 'COUNT', '1000');
        found.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      return found;
    };
    const members = async () => {
      const all = new Set<string>();
      for (const key of await indexKeys()) for (const id of await redis.zrange(key, '0', '-1')) all.add(id);
      return all;
    };
    expect(await members()).toEqual(new Set([...expired, live]));
    expect(await redis.zrange(keys.tenants, '0', '-1')).toEqual(['acme', '~']);

    // A TTL later every one of these ids is old enough to be checked; 4 checks per pass.
    const s = sweeperDeps(h, { pruneBudget: 4, pruneTenants: 1 });
    const later = Date.now() + h.deps.config.jobTtlSeconds * 1000 + 1000;
    const drops: number[] = [];
    for (let pass = 0; pass < 40 && [...(await members())].some((id) => id !== live); pass++) {
      drops.push((await sweepOnce(s, later)).pruned);
    }
    expect(await members()).toEqual(new Set([live]));
    expect(Math.max(...drops)).toBeLessThanOrEqual(4);
    expect(drops.length).toBeGreaterThan(3);
    // Only indexes holding the live job are left; the tenant without any is forgotten.
    for (const key of await indexKeys()) expect(await redis.zrange(key, '0', '-1')).toEqual([live]);
    for (let pass = 0; pass < 4; pass++) await sweepOnce(s, later);
    expect(await redis.zrange(keys.tenants, '0', '-1')).toEqual(['acme']);
    expect(await h.deps.records.get(live)).toMatchObject({ status: 'pending' });
  });
});
