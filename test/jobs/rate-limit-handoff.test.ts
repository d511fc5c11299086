/**
 * A source that asks for a long wait (beyond the policy's handOffWaitMs) does not hold a worker slot:
 * the job goes back to the queue until the wait ends, resumes from its checkpoint and completes exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { githubModule } from '../../src/connectors/github/index.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import { TEST_POLICY, testPolicy } from '../support/policy.js';
import { startHarness, type Harness } from '../support/harness.js';
import { testConnectors } from '../support/test-connector.js';
import { GithubFake } from '../../src/sandbox/fakes/github.js';
import { started } from '../../src/sandbox/fakes/vendor-fake.js';

let h: Harness;
const fakes: GithubFake[] = [];
afterEach(async () => {
  await h?.cleanup();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };
const connectors = { ...testConnectors, github: githubModule } as Record<SourceType, ConnectorModule>;

async function setUp() {
  h = await startHarness({
    connectors,
    env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '1' },
    policy: testPolicy({ http: { handOffWaitMs: 300 } }),
  });
}

async function fake(issues: number) {
  const f = await started(new GithubFake({ issues, prEvery: 0 }));
  fakes.push(f);
  return f;
}

const create = async (f: GithubFake) =>
  (await h.deps.jobs.create({
    source_type: 'github',
    source_config: { base_url: f.baseUrl, token: f.token, owner: f.data.o.owner, repo: f.data.o.repo },
    options: { batch_size: 10 },
  }, ctx)).job;

describe('rate-limit hand-off', () => {
  it('frees the worker slot while the source says wait, then resumes from the checkpoint', async () => {
    await setUp();
    const limited = await fake(60);
    const other = await fake(20);
    // the third issues page answers a secondary limit asking for 2 s
    limited.inject({ kind: 'secondary', status: 429, retryAfterSec: 2, match: /\/issues\?.*page=3/ });
    const first = await create(limited);
    const deadline = Date.now() + 10_000;
    while ((await h.deps.queue.getJobState(first.job_id)) !== 'delayed') {
      if (Date.now() > deadline) throw new Error('job was not handed back');
      await new Promise((r) => setTimeout(r, 20));
    }
    // with one worker slot, another import runs to the end while the first one waits
    const second = await create(other);
    const otherDone = await h.waitFor(second.job_id);
    expect(otherDone.status).toBe('completed');
    expect((await h.deps.records.get(first.job_id))!.status).toBe('processing');

    const done = await h.waitFor(first.job_id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ processed_items: 60, successful_items: 60, total_items: 60, skipped_items: 0 });
    const limitedAt = limited.requests.find((r) => r.status === 429)!.answeredAt;
    // requests already on the wire, or sent before a loaded client got round to reading the 429, may
    // still arrive shortly after it; after that nothing is sent until the 2 s are over
    const during = limited.requests.filter((r) => r.at > limitedAt + 500 && r.at < limitedAt + 1900);
    expect(during).toEqual([]);
  });

  it(`fails with SOURCE_RATE_LIMITED after ${TEST_POLICY.jobs.maxRateLimitHandoffs} hand-backs to a source that never relents`, async () => {
    await setUp();
    const limited = await fake(30);
    limited.inject({ kind: 'secondary', status: 429, retryAfterSec: 1, match: /\/issues\?/, times: Infinity });
    const job = await create(limited);
    const done = await h.waitFor(job.job_id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_RATE_LIMITED' });
    // handed back exactly the allowed number of times, then failed on the next wait
    const queued = await h.deps.queue.getJob(job.job_id);
    expect(queued?.data.rate_limit_handoffs).toBe(TEST_POLICY.jobs.maxRateLimitHandoffs);
    // At most one refused issues-list request per attempt (the search count, also refused, is not
    // paging). An attempt that starts while the account's pause still holds hands back without
    // sending one, which a loaded machine's timing decides, so fewer is fine; more would mean an
    // attempt kept asking after it had been told to wait.
    const listRefusals = limited.requests.filter((r) => r.status === 429 && !r.target.includes('/search/'));
    expect(listRefusals.length).toBeGreaterThanOrEqual(1);
    expect(listRefusals.length).toBeLessThanOrEqual(TEST_POLICY.jobs.maxRateLimitHandoffs + 1);
  });
});
