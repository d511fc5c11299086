/** Listing and the jobs gauge stay bounded and honest with many expired ids in the indexes (issue 8 audit). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRecords } from '../../src/jobs/record.js';
import { jobKeys } from '../../src/jobs/keys.js';
import { emptyProgress } from '../../src/jobs/create.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { testRedis, type TestRedis } from '../support/redis.js';

let t: TestRedis;
let records: JobRecords;
beforeAll(async () => {
  t = await testRedis();
  records = new JobRecords(t.redis, jobKeys(t.prefix), 86400);
});
afterAll(async () => t.cleanup());

async function create(tenant: string): Promise<JobRecord> {
  const now = new Date().toISOString();
  const job: JobRecord = {
    job_id: randomUUID(), request_id: randomUUID(), status: 'pending', source_type: 'jira',
    source: { base_url: 'https://acme.atlassian.net', scope: 'TEST' }, created_at: now, updated_at: now,
    started_at: null, completed_at: null, progress: emptyProgress(), imported_items: [],
    error_code: null, error_message: null, tenant_id: tenant, correlation_id: null,
  };
  const r = await records.create(job, '', null);
  if (r.kind !== 'created') throw new Error('not created');
  return r.job;
}

describe('an index holding thousands of expired ids', () => {
  it('is paged with bounded work per call, and every live job is still listed exactly once', async () => {
    const tenant = `t-${randomUUID().slice(0, 6)}`;
    const live = [await create(tenant)];
    const expired: string[] = [];
    for (let i = 0; i < 3000; i++) expired.push((await create(tenant)).job_id);
    live.push(await create(tenant));
    const pipe = t.redis.pipeline();
    for (const id of expired) pipe.del(`${t.prefix}import:job:${id}`);
    await pipe.exec();
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const page = await records.list({ tenant_id: tenant, limit: 50, cursor });
      pageSizes.push(page.jobs.length);
      seen.push(...page.jobs.map((j) => j.job_id));
      cursor = page.next_cursor ?? undefined;
      calls++;
    } while (cursor && calls < 20);
    expect(seen.sort()).toEqual(live.map((j) => j.job_id).sort());
    // 3,000 dead ids cannot be walked in one call (at most limit + 1,000 are looked at)
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('the jobs gauge counts live jobs only once the expired ids were met', async () => {
    const before = (await records.countByStatus(['completed']))[0]!;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const job = await create(`g-${i}`);
      await records.transition(job.job_id, 'processing', {}, 'o');
      await records.transition(job.job_id, 'completed', {}, 'o');
      ids.push(job.job_id);
    }
    expect((await records.countByStatus(['completed']))[0]).toBe(before + 5);
    for (const id of ids.slice(0, 3)) await t.redis.del(`${t.prefix}import:job:${id}`);
    // Entries newer than one TTL are only checked when listed; an old entry (as an expired one is) is checked here.
    const index = `${t.prefix}import:idx:*:completed:*`;
    for (const id of ids.slice(0, 3)) await t.redis.zadd(index, 1, id);
    expect((await records.countByStatus(['completed']))[0]).toBe(before + 2);
  });
});
