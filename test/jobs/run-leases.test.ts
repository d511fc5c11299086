/** Scope leases owned by one run, and TENANT_MAX_RUNNING across the deployment (CONTRACT §9, issue 8 audit). */
import { afterEach, describe, expect, it } from 'vitest';
import { ScopeLocks } from '../../src/jobs/scope-lock.js';
import type { ImportJobData } from '../../src/jobs/queue.js';
import { startHarness, type Harness } from '../support/harness.js';
import { testPolicy } from '../support/policy.js';
import { testRedis, type TestRedis } from '../support/redis.js';
import { jobKeys } from '../../src/jobs/keys.js';

let r: TestRedis | null = null;
let h: Harness | null = null;
afterEach(async () => {
  await r?.cleanup();
  await h?.cleanup();
  r = null;
  h = null;
});

const data = (jobId: string, scope = 's', tenant: string | null = 'acme') =>
  ({ job_id: jobId, tenant_id: tenant, source_type: 'github', source_instance: 'h', scope } as ImportJobData);

describe('ScopeLocks', () => {
  it('belongs to one run: a stale run of the same job neither renews nor releases what a newer run took', async () => {
    r = await testRedis();
    const locks = new ScopeLocks(r.redis, jobKeys(r.prefix), 60_000);
    expect(await locks.acquire(data('j1'), 'j1:old')).toBe('taken');
    expect(await locks.acquire(data('j2'), 'j2:a')).toBe('scope-busy');
    expect(await locks.acquire(data('j1'), 'j1:new')).toBe('taken'); // the re-delivered run takes over at once
    expect(await locks.renew(data('j1'), 'j1:old')).toBe(false);
    await locks.release(data('j1'), 'j1:old');
    expect(await locks.acquire(data('j2'), 'j2:a')).toBe('scope-busy');
    expect(await locks.renew(data('j1'), 'j1:new')).toBe(true);
    await locks.release(data('j1'), 'j1:new');
    expect(await locks.acquire(data('j2'), 'j2:a')).toBe('taken');
  });

  it('lets at most TENANT_MAX_RUNNING jobs of a tenant run, others and untenanted jobs unaffected', async () => {
    r = await testRedis();
    const locks = new ScopeLocks(r.redis, jobKeys(r.prefix), 60_000, 2);
    expect(await locks.acquire(data('a1', 's1'), 'a1:x')).toBe('taken');
    expect(await locks.acquire(data('a2', 's2'), 'a2:x')).toBe('taken');
    expect(await locks.acquire(data('a3', 's3'), 'a3:x')).toBe('tenant-full');
    expect(await locks.acquire(data('b1', 's4', 'beta'), 'b1:x')).toBe('taken');
    expect(await locks.acquire(data('n1', 's5', null), 'n1:x')).toBe('taken');
    await locks.holdScope(data('a1', 's1'), 'a1:x', Date.now() + 60_000); // handed back to wait: not running
    expect(await locks.acquire(data('a3', 's3'), 'a3:x')).toBe('taken');
    expect(await locks.acquire(data('a4', 's1'), 'a4:x')).toBe('scope-busy'); // a1 still holds its scope
  });
});

const ctx = { tenantId: 'acme', requestId: 'r', correlationId: null, idempotencyKey: null };

describe('a run that loses its lease', { timeout: 90_000 }, () => {
  it('stops writing at once, goes back to the queue, and completes exactly once the scope is free', async () => {
    h = await startHarness({ policy: testPolicy({ scopeLock: { leaseMs: 3000, renewEveryMs: 200 } }) });
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'stolen', count: 200, delay_ms: 40 }, options: { batch_size: 5 } }, ctx);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 3);
    const lease = h.deps.locks.key((await h.deps.queue.getJob(job.job_id))!.data);
    await h.deps.redis.set(lease, 'another-job:run', 'PX', 60_000);
    // Within a renewal (200 ms) and the batch in flight, progress stops.
    await new Promise((res) => setTimeout(res, 800));
    const frozen = (await h.deps.records.get(job.job_id))!.progress.processed_items;
    await new Promise((res) => setTimeout(res, 800));
    expect((await h.deps.records.get(job.job_id))!.progress.processed_items).toBe(frozen);
    expect(frozen).toBeLessThan(200);
    await h.deps.redis.del(lease);
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ processed_items: 200, successful_items: 200, skipped_items: 0 });
  });
});

describe('TENANT_MAX_RUNNING', { timeout: 120_000 }, () => {
  it('runs at most two jobs of a busy tenant at once, while another tenant\'s job starts at once', async () => {
    h = await startHarness({ env: { TENANT_MAX_RUNNING: '2', WORKER_CONCURRENCY: '4' } });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: `busy-${i}`, count: 12, delay_ms: 100 }, options: { batch_size: 2 } }, ctx);
      ids.push(job.job_id);
    }
    const { job: other } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'other', count: 2 } }, { ...ctx, tenantId: 'beta' });
    let most = 0;
    let otherDoneAt: number | null = null;
    const started = Date.now();
    for (;;) {
      const jobs = await Promise.all(ids.map((id) => h!.deps.records.get(id)));
      most = Math.max(most, jobs.filter((j) => j?.status === 'processing').length);
      if (otherDoneAt === null && (await h.deps.records.get(other.job_id))?.status === 'completed') otherDoneAt = Date.now();
      if (jobs.every((j) => j?.status === 'completed')) break;
      expect(Date.now() - started).toBeLessThan(90_000);
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(most).toBe(2);
    expect(otherDoneAt! - started).toBeLessThan(10_000);
  });
});
