import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepJobItems } from '../../src/jobs/retention.js';
import type { SqlItemStore } from '../../src/store/work-items.js';
import { startHarness, type Harness } from '../support/harness.js';
import { sampleItem } from '../support/store.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => h?.cleanup());

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };

async function jobWithLog(scope: string, ageDays: number): Promise<string> {
  const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope, count: 0 } }, ctx);
  await h.deps.store.upsertBatch(
    { tenantId: null, sourceType: 'github', sourceInstance: 'example.com', jobId: job.job_id, batchNo: 1 },
    [sampleItem(1, { external_id: `${scope}-1` }), sampleItem(2, { external_id: `${scope}-2` })], [],
  );
  await (h.deps.store as SqlItemStore).db.query(
    `UPDATE job_items SET recorded_at = now() - make_interval(days => $2) WHERE job_id = $1::uuid`, [job.job_id, ageDays],
  );
  return job.job_id;
}

const logSize = async (jobId: string) => (await h.deps.store.jobItems(jobId, { limit: 100 })).items.length;

describe('item log retention', () => {
  it('drops the log of jobs whose record expired, and only those', async () => {
    const expired = await jobWithLog('expired', 3);
    const longRunning = await jobWithLog('long-running', 3);
    const recentlyExpired = await jobWithLog('recent', 0);
    await h.deps.redis.del(h.deps.keys.record(expired), h.deps.keys.record(recentlyExpired));

    expect(await sweepJobItems(h.deps.records, h.deps.store, 86400, 1000)).toBe(2);
    expect(await logSize(expired)).toBe(0);
    // a record that still lives (a job still running after days) keeps its log: resume counts on it
    expect(await logSize(longRunning)).toBe(2);
    // not old enough to be looked at yet; the next sweeps will
    expect(await logSize(recentlyExpired)).toBe(2);
    // the items themselves stay: only the per-job log goes
    expect((await h.deps.store.listItems({ tenantId: null, limit: 100 })).items).toHaveLength(6);
    expect(await sweepJobItems(h.deps.records, h.deps.store, 86400, 1000)).toBe(0);
  });
});
