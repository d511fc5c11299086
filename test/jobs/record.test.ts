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

function newJob(over: Partial<JobRecord> = {}): JobRecord {
  const now = new Date().toISOString();
  return {
    job_id: randomUUID(), request_id: randomUUID(), status: 'pending', source_type: 'jira',
    source: { base_url: 'https://acme.atlassian.net', scope: 'TEST' }, created_at: now, updated_at: now,
    started_at: null, completed_at: null, progress: emptyProgress(), imported_items: [],
    error_code: null, error_message: null, tenant_id: null, correlation_id: null, ...over,
  };
}

async function created(over: Partial<JobRecord> = {}): Promise<JobRecord> {
  const result = await records.create(newJob(over), '', null);
  if (result.kind !== 'created') throw new Error('not created');
  return result.job;
}

describe('job record', () => {
  it('is stored as JSON at import:job:{id} with EX ttl, refreshed by every update', async () => {
    const job = await created();
    const key = `${t.prefix}import:job:${job.job_id}`;
    expect(JSON.parse((await t.redis.get(key))!)).toEqual(job);
    await t.redis.expire(key, 100);
    await records.transition(job.job_id, 'processing', {}, 'owner-1');
    expect(await t.redis.ttl(key)).toBeGreaterThan(86000);
    await t.redis.expire(key, 100);
    await records.saveProgress(job.job_id, 'owner-1', { progress: { ...emptyProgress(), processed_items: 1 }, checkpoint: '{}', items: [], counters: {} });
    expect(await t.redis.ttl(key)).toBeGreaterThan(86000);
  });

  it('counts runs started without a clean end: a stored batch leaves only the current run, a hand-back or an end none', async () => {
    const job = await created();
    const lost = async (owner: string) => {
      const taken = await records.take(job.job_id, owner);
      return taken.ok ? taken.lostRuns : null;
    };
    expect([await lost('a'), await lost('b'), await lost('c')]).toEqual([0, 1, 2]);
    await records.saveProgress(job.job_id, 'c', { progress: emptyProgress(), checkpoint: '{}', items: [], counters: {} });
    // c stored a batch and was then lost: only c counts
    expect(await lost('d')).toBe(1);
    await records.endRun(job.job_id, 'd');
    expect(await lost('e')).toBe(0);
    // a stale worker handing back after another took the job does not clear the newer run's count
    expect(await lost('f')).toBe(1);
    await records.endRun(job.job_id, 'e');
    expect(await lost('g')).toBe(2);
    await records.transition(job.job_id, 'failed', {}, 'g');
    expect(await t.redis.exists(jobKeys(t.prefix).unfinishedRuns(job.job_id))).toBe(0);
  });

  it('keeps imported_items a JSON array and caps it at 1,000 entries', async () => {
    const job = await created();
    const done = await records.transition(job.job_id, 'processing', {}, 'o');
    expect(done.ok && done.job.imported_items).toEqual([]);
    const raw = (await t.redis.get(`${t.prefix}import:job:${job.job_id}`))!;
    expect(raw).toContain('"imported_items":[]');
    const items = Array.from({ length: 700 }, (_, i) => ({ external_id: String(i), key: `K-${i}`, item_id: null, action: 'created' as const }));
    await records.saveProgress(job.job_id, 'o', { progress: emptyProgress(), checkpoint: '', items, counters: {} });
    await records.saveProgress(job.job_id, 'o', { progress: emptyProgress(), checkpoint: '', items, counters: {} });
    expect((await records.get(job.job_id))!.imported_items).toHaveLength(1000);
  });

  it('refuses every transition out of a terminal status', async () => {
    for (const end of ['completed', 'failed', 'cancelled'] as const) {
      const job = await created();
      await records.transition(job.job_id, 'processing', {}, 'o');
      expect((await records.transition(job.job_id, end, {}, end === 'cancelled' ? '' : 'o')).ok).toBe(true);
      for (const to of ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const) {
        expect(await records.transition(job.job_id, to, {}, 'o')).toEqual({ ok: false, status: end });
      }
      expect((await records.saveProgress(job.job_id, 'o', { progress: emptyProgress(), checkpoint: 'x', items: [], counters: {} })).ok).toBe(false);
    }
  });

  it('a progress write racing a cancel never undoes it', async () => {
    const job = await created();
    await records.transition(job.job_id, 'processing', {}, 'w');
    // the API cancels over its own connection while the worker keeps writing progress
    const api = new JobRecords(t.redis.duplicate(), jobKeys(t.prefix), 86400);
    const outcomes: boolean[] = [];
    let cancel: ReturnType<JobRecords['transition']> | undefined;
    for (let i = 0; i < 60; i++) {
      if (i === 20) cancel = api.transition(job.job_id, 'cancelled');
      const r = await records.saveProgress(job.job_id, 'w', { progress: { ...emptyProgress(), processed_items: i + 1 }, checkpoint: String(i), items: [], counters: {} });
      outcomes.push(r.ok);
    }
    const cancelled = await cancel!;
    api.redis.disconnect();
    expect(cancelled.ok).toBe(true);
    const final = (await records.get(job.job_id))!;
    expect(final.status).toBe('cancelled');
    // what landed before the cancel stays; every write after it was refused
    expect(final.progress).toEqual(cancelled.ok && cancelled.job.progress);
    const applied = outcomes.filter(Boolean).length;
    expect(outcomes.slice(applied).every((ok) => !ok)).toBe(true);
    expect(applied).toBeLessThan(60);
    expect(final.progress.processed_items).toBe(applied);
  });

  it('a worker that no longer owns the job cannot write to it', async () => {
    const job = await created();
    await records.transition(job.job_id, 'processing', {}, 'first');
    await records.transition(job.job_id, 'processing', {}, 'second');
    expect((await records.saveProgress(job.job_id, 'first', { progress: emptyProgress(), checkpoint: '', items: [], counters: {} })).ok).toBe(false);
    expect((await records.transition(job.job_id, 'completed', {}, 'first')).ok).toBe(false);
    expect((await records.transition(job.job_id, 'completed', {}, 'second')).ok).toBe(true);
  });

  it('Idempotency-Key: same body replays the first job, another body is refused', async () => {
    const a = newJob();
    expect((await records.create(a, '', { keyHash: 'k1', bodyHash: 'b1' })).kind).toBe('created');
    const replay = await records.create(newJob(), '', { keyHash: 'k1', bodyHash: 'b1' });
    expect(replay).toMatchObject({ kind: 'replay', job: { job_id: a.job_id } });
    expect((await records.create(newJob(), '', { keyHash: 'k1', bodyHash: 'b2' })).kind).toBe('reused');
  });
});

describe('listing by sorted-set index', () => {
  it('pages newest first and visits every job exactly once while jobs are being created', async () => {
    const tenant = `tenant-${randomUUID().slice(0, 6)}`;
    const initial: string[] = [];
    for (let i = 0; i < 120; i++) initial.push((await created({ tenant_id: tenant })).job_id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let creating = 0;
    do {
      const page = await records.list({ tenant_id: tenant, limit: 7, cursor });
      seen.push(...page.jobs.map((j) => j.job_id));
      for (let i = 0; i < 3 && creating < 50; i++, creating++) await created({ tenant_id: tenant });
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => initial.includes(id)).length).toBe(120);
    // newest first: the initial ones appear in reverse creation order
    expect(seen.filter((id) => initial.includes(id))).toEqual([...initial].reverse());
  });

  it('filters by status and source type and drops ids whose record expired', async () => {
    const tenant = `tenant-${randomUUID().slice(0, 6)}`;
    const a = await created({ tenant_id: tenant, source_type: 'github' });
    const b = await created({ tenant_id: tenant, source_type: 'jira' });
    const c = await created({ tenant_id: tenant, source_type: 'jira' });
    await records.transition(b.job_id, 'processing', {}, 'o');
    expect((await records.list({ tenant_id: tenant, source_type: 'jira', limit: 50 })).jobs.map((j) => j.job_id)).toEqual([c.job_id, b.job_id]);
    expect((await records.list({ tenant_id: tenant, status: 'processing', limit: 50 })).jobs.map((j) => j.job_id)).toEqual([b.job_id]);
    expect((await records.list({ tenant_id: tenant, status: 'pending', limit: 50 })).total).toBe(2);
    await t.redis.del(`${t.prefix}import:job:${a.job_id}`);
    const page = await records.list({ tenant_id: tenant, limit: 50 });
    expect(page.jobs.map((j) => j.job_id)).toEqual([c.job_id, b.job_id]);
    expect(await t.redis.zscore(`${t.prefix}import:idx:${tenant}:*:*`, a.job_id)).toBeNull();
    expect((await records.list({ tenant_id: tenant, limit: 50 })).total).toBe(2);
  });
});
