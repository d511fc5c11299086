/**
 * GitHub end to end through the jobs core (real Redis, PGlite store, BullMQ worker) against the
 * fake: exact counts without pull requests, comments stored, re-import skipped, incremental
 * touching only changed issues, dry run, the hint on a missing repository. Cancel, resume and the
 * error codes are the conformance suite's (test/conformance).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubModule } from '../../../src/connectors/github/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import { closeFakes, issueNumbers, startFake } from './helpers.js';
import type { GithubFake } from '../../../src/sandbox/fakes/github.js';

let h: Harness;
beforeAll(async () => {
  h = await startSourceHarness([githubModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(closeFakes);

const ctx = { tenantId: null, requestId: 'req-gh', correlationId: null, idempotencyKey: null };
const create = async (fake: GithubFake, config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  (await h.deps.jobs.create({
    source_type: 'github',
    source_config: { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo, ...config },
    options: { batch_size: 100, ...options },
  }, ctx)).job;

async function storedOf(fake: GithubFake) {
  const stored = await h.deps.store.listItems({ tenantId: null, limit: 1000, source_type: 'github' });
  return stored.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
}

describe('GitHub import jobs', () => {
  it('imports every issue once with its comments, then re-imports as skipped', async () => {
    const fake = await startFake({ issues: 900 });
    const job = await create(fake);
    expect(job.source).toEqual({ base_url: fake.baseUrl, scope: 'octo-org/hello-world' });
    const done = await h.waitFor(job.job_id);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 600, processed_items: 600, successful_items: 600, failed_items: 0, percentage: 100 });
    expect(JSON.stringify(done)).not.toContain(fake.token);
    const mine = await storedOf(fake);
    expect(mine.map((i) => Number(i.key.slice(1))).sort((a, b) => a - b)).toEqual(issueNumbers(fake));
    const ownComments = fake.data.comments.filter((c) => !fake.data.isPr(Number(/(\d+)$/.exec(String(c['issue_url']))![1])));
    expect(mine.reduce((n, i) => n + i.comments.length, 0)).toBe(ownComments.length);
    expect(mine.every((i) => i.project === 'octo-org/hello-world')).toBe(true);
    // depth (issue 12): history read by default, every part complete, the milestone mapped by the connector's defaults
    expect(mine.every((i) => i.completeness?.history.state === 'complete' && i.completeness.comments.state === 'complete' && i.completeness.attachments.state === 'complete')).toBe(true);
    expect(done.progress).toMatchObject({ partial_items: 0 });
    const first = mine.find((i) => i.key === '#1')!;
    expect(first.history.map((e) => e.field)).toEqual(['labels', 'assignee', 'assignee', 'milestone']);
    expect(first.fields).toEqual({ story_points: null, due_date: '2024-03-01', sprint: 'v1.0', severity: null });
    expect(first.attachments.map((a) => a.name)).toEqual(['screenshot-1-1.png']);

    const again = await h.waitFor((await create(fake)).job_id);
    expect(again.progress).toMatchObject({ processed_items: 600, skipped_items: 600, successful_items: 0 });
  });

  it('incremental after changing 10 issues updates only those', async () => {
    const fake = await startFake({ issues: 600 });
    await h.waitFor((await create(fake)).job_id);
    const changed = [1, 50, 101, 202, 250, 301, 352, 401, 499, 500];
    for (const n of changed) fake.data.edit(n, { title: `edited ${n}` });
    fake.requests.length = 0;
    const done = await h.waitFor((await create(fake, {}, { mode: 'incremental' })).job_id);
    expect(done.status).toBe('completed');
    expect(done.progress.successful_items).toBe(10);
    expect(done.progress.skipped_items).toBe(done.progress.total_items - 10);
    expect(done.progress.total_items).toBeLessThan(20);
    const updated = done.imported_items.filter((i) => i.action === 'updated').map((i) => i.key).sort();
    expect(updated).toEqual(changed.map((n) => `#${n}`).sort());
    expect(fake.requests.some((r) => r.target.includes('since='))).toBe(true);
  });

  it('dry run counts issues without pull requests and stores nothing', async () => {
    const fake = await startFake({ issues: 90 });
    const done = await h.waitFor((await create(fake, {}, { dry_run: true })).job_id);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.progress.total_items).toBe(60);
    expect(await storedOf(fake)).toHaveLength(0);
    expect(fake.requests.map((r) => r.target.split('?')[0])).toEqual(['/repos/octo-org/hello-world', '/search/issues']);
  });

  it('a missing repository fails the job with SOURCE_NOT_FOUND and the token hint', async () => {
    const fake = await startFake({ issues: 1 });
    const done = await h.waitFor((await create(fake, { repo: 'gone' })).job_id);
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_NOT_FOUND' });
    expect(done.error_message).toMatch(/octo-org\/gone.*token may lack access/);
  });
});
