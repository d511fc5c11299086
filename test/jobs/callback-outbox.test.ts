/** The callback outbox in Redis: written with the job's end, claimed under a lease, settled by its claimant only. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRecords } from '../../src/jobs/record.js';
import { jobKeys, type JobKeys } from '../../src/jobs/keys.js';
import { emptyProgress } from '../../src/jobs/create.js';
import { CallbackOutbox } from '../../src/jobs/callbacks/outbox.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { testRedis, type TestRedis } from '../support/redis.js';

const HORIZON = 3_600_000;
const LEASE = 60_000;
let t: TestRedis;
let keys: JobKeys;
let records: JobRecords;
let outbox: CallbackOutbox;
beforeAll(async () => {
  t = await testRedis();
  keys = jobKeys(t.prefix);
  records = new JobRecords(t.redis, keys, 86400, HORIZON);
  outbox = new CallbackOutbox(t.redis, keys, LEASE);
});
afterAll(async () => t.cleanup());

async function ended(callbackUrl: string | null): Promise<JobRecord> {
  const now = new Date().toISOString();
  const job: JobRecord = {
    job_id: randomUUID(), request_id: randomUUID(), status: 'pending', source_type: 'jira',
    source: { base_url: 'https://acme.atlassian.net', scope: 'TEST' }, created_at: now, updated_at: now,
    started_at: null, completed_at: null, progress: emptyProgress(), imported_items: [],
    error_code: null, error_message: null, tenant_id: null, correlation_id: null,
  };
  await records.create(job, '', null, 0, callbackUrl);
  // kept beside the record, with its TTL, until the job ends
  const ttl = await t.redis.ttl(keys.callback(job.job_id));
  if (callbackUrl) expect(ttl).toBeGreaterThan(86000);
  else expect(ttl).toBe(-2);
  const result = await records.transition(job.job_id, 'cancelled');
  if (!result.ok) throw new Error('not cancelled');
  return result.job;
}

describe('callback outbox', () => {
  it('gets its entry in the same script call as the job ends, with the record as it ended', async () => {
    const before = Date.now();
    const job = await ended('https://hooks.example.com/x');
    const entry = await t.redis.hgetall(keys.callback(job.job_id));
    expect(entry).toMatchObject({ url: 'https://hooks.example.com/x', status: 'pending', attempts: '0' });
    expect(JSON.parse(entry.body!)).toEqual(job);
    expect(JSON.parse((await t.redis.get(keys.record(job.job_id)))!)).not.toHaveProperty('callback_url');
    const dueAt = Number(await t.redis.zscore(keys.callbacksDue, job.job_id));
    expect(dueAt).toBeGreaterThanOrEqual(before);
    expect(Number(entry.deadline)).toBe(dueAt + HORIZON);
    // kept past the horizon, so a given-up callback stays visible
    expect(await t.redis.ttl(keys.callback(job.job_id))).toBeGreaterThan(HORIZON / 1000 + 86000);
  });

  it('writes nothing for a job without callback_url', async () => {
    const job = await ended(null);
    expect(await t.redis.exists(keys.callback(job.job_id))).toBe(0);
    expect(await t.redis.zscore(keys.callbacksDue, job.job_id)).toBeNull();
  });

  it('leases a claim: no second claimant until it lapses, and only the current claimant settles', async () => {
    const job = await ended('https://hooks.example.com/y');
    const now = Date.now() + 1000;
    const mine = (await outbox.claim(100, now)).filter((c) => c.jobId === job.job_id);
    expect(mine).toMatchObject([{ url: 'https://hooks.example.com/y', attempts: 1 }]);
    expect((await outbox.claim(100, now)).map((c) => c.jobId)).not.toContain(job.job_id);
    // the claimant died: after the lease another claim gets it, and the first claim's outcome no longer counts
    const again = (await outbox.claim(100, now + LEASE)).filter((c) => c.jobId === job.job_id);
    expect(again).toMatchObject([{ attempts: 2 }]);
    expect(await outbox.settle(mine[0]!, { status: 'delivered' })).toBe(false);
    expect(await outbox.settle(again[0]!, { status: 'pending', error: 'HTTP 503', nextAt: now + LEASE + 5000 })).toBe(true);
    expect(await records.redis.zscore(keys.callbacksDue, job.job_id)).toBe(String(now + LEASE + 5000));
    expect(await outbox.settle(again[0]!, { status: 'delivered' })).toBe(false);
  });
});
