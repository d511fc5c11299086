/** TENANT_MAX_QUEUED (CONTRACT §9) and the Idempotency-Key replay that heals a lost enqueue (§8). */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

const ctx = (tenantId: string | null, idempotencyKey: string | null = null) => ({ tenantId, requestId: 'r', correlationId: null, idempotencyKey });
const body = (scope: string) => ({ source_type: 'github' as const, source_config: { base_url: 'https://example.com', scope, count: 1 } });

describe('TENANT_MAX_QUEUED', () => {
  it('refuses a job beyond the tenant\'s pending jobs with 429 TOO_MANY_JOBS and Retry-After, writing nothing; other tenants go on', async () => {
    h = await startHarness({ worker: false, env: { TENANT_MAX_QUEUED: '3' } });
    for (let i = 0; i < 3; i++) await h.deps.jobs.create(body(`q${i}`), ctx('acme'));
    const before = await h.deps.jobs.list({ tenant_id: 'acme', limit: 50 });
    const err = await h.deps.jobs.create(body('q3'), ctx('acme')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'TOO_MANY_JOBS', httpStatus: 429, retryAfterS: 30 });
    expect((await h.deps.jobs.list({ tenant_id: 'acme', limit: 50 })).total).toBe(before.total);
    await expect(h.deps.jobs.create(body('other'), ctx('beta'))).resolves.toMatchObject({ created: true });
    await expect(h.deps.jobs.create(body('none'), ctx(null))).resolves.toMatchObject({ created: true });
  });

  it('counts only pending jobs whose record still exists', async () => {
    h = await startHarness({ worker: false, env: { TENANT_MAX_QUEUED: '2' } });
    const first = await h.deps.jobs.create(body('e0'), ctx('acme'));
    await h.deps.jobs.create(body('e1'), ctx('acme'));
    await h.deps.redis.del(h.deps.keys.record(first.job.job_id)); // as if its TTL ran out
    await expect(h.deps.jobs.create(body('e2'), ctx('acme'))).resolves.toMatchObject({ created: true });
  });
});

describe('a job stored but never queued', () => {
  it('is queued again by the replay of its Idempotency-Key', async () => {
    h = await startHarness({ worker: false });
    const { job } = await h.deps.jobs.create(body('lost'), ctx(null, 'idem-lost-1'));
    await (await h.deps.queue.getJob(job.job_id))!.remove(); // the enqueue that never happened
    const replay = await h.deps.jobs.create(body('lost'), ctx(null, 'idem-lost-1'));
    expect(replay).toMatchObject({ created: false, job: { job_id: job.job_id } });
    expect(await h.deps.queue.getJobState(job.job_id)).toBe('waiting');
  });
});
