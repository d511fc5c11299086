/**
 * GitHub job-level cases that github/import.test.ts and the conformance suite leave out:
 * 0 / one page / one page + 1, 2,500 issues in a list a third pull requests with complete
 * comments, transient faults survived with exact counts. Through the jobs core against the fake;
 * retries back off in milliseconds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubModule } from '../../../src/connectors/github/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import type { WorkItem } from '../../../src/store/types.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import type { GithubFake } from '../../../src/sandbox/fakes/github.js';
import { closeFakes, expectedComments, issueNumbers, startFake } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startSourceHarness([githubModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(closeFakes);

const ctx = { tenantId: null, requestId: 'req-gh-gaps', correlationId: null, idempotencyKey: null };
const run = async (fake: GithubFake, config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) => {
  const { job } = await h.deps.jobs.create({
    source_type: 'github',
    source_config: { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo, ...config },
    options: { batch_size: 20, ...options },
  }, ctx);
  return h.waitFor(job.job_id, undefined, 40_000);
};

async function storedOf(fake: GithubFake): Promise<WorkItem[]> {
  const page = await h.deps.store.listItems({ tenantId: null, limit: 10_000, source_type: 'github' });
  return page.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
}
const issueLists = (fake: GithubFake) => fake.requests.filter((r) => /\/issues\?/.test(r.target) && !/\/comments|\/search\//.test(r.target));

describe('GitHub import jobs: sizes, 2,500 issues, error codes, faults', () => {
  it.each([
    { n: 0, batches: 0, lists: 1 },
    { n: 20, batches: 1, lists: 1 },
    { n: 21, batches: 2, lists: 2 },
  ])('$n issues with batch size 20: exact counts in $batches batch(es)', async ({ n, batches, lists }) => {
    const fake = await startFake({ issues: n, prEvery: 0 });
    const done = await run(fake);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: n, processed_items: n, successful_items: n, failed_items: 0, skipped_items: 0, current_batch: batches });
    const items = await storedOf(fake);
    expect(items.map((i) => Number(i.key.slice(1))).sort((a, b) => a - b)).toEqual(issueNumbers(fake));
    expect(items.reduce((c, i) => c + i.comments.length, 0)).toBe(fake.data.comments.length);
    expect(issueLists(fake)).toHaveLength(lists);
  });

  it('2,500 issues among 1,250 pull requests: each issue stored once with every comment', async () => {
    const fake = await startFake({ issues: 3750 });
    const done = await run(fake, {}, { batch_size: 100 });
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 2500, processed_items: 2500, successful_items: 2500, failed_items: 0 });
    const items = await storedOf(fake);
    expect(items.map((i) => Number(i.key.slice(1))).sort((a, b) => a - b)).toEqual(issueNumbers(fake));
    for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
  }, 60_000);

  it('a secondary limit, a 500, a truncated body and a slow answer mid-import: completes with exact counts', async () => {
    const fake = await startFake({ issues: 150 });
    const list = /\/issues\?.*page=\d/;
    fake.inject({ kind: 'secondary', status: 403, retryAfterSec: 1, match: list });
    fake.inject({ kind: 'status', status: 500, match: /\/issues\/comments/ });
    fake.inject({ kind: 'truncate', match: list });
    fake.inject({ kind: 'slow', delayMs: 300, match: list });
    const done = await run(fake);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 100, processed_items: 100, successful_items: 100, failed_items: 0 });
    const items = await storedOf(fake);
    expect(items.map((i) => Number(i.key.slice(1))).sort((a, b) => a - b)).toEqual(issueNumbers(fake));
    for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
    expect(fake.requests.filter((r) => r.status === 403 || r.status === 500)).toHaveLength(2);
  });
});
