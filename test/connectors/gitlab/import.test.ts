/**
 * GitLab end to end through the jobs core (real Redis, PGlite store, BullMQ worker, the real
 * GitLab module) against the fake: 0 / one page / one page + 1 with keyset and with offset
 * paging, 2,500 issues with notes (some past one notes page), re-import skipped, incremental
 * touching only changed issues, dry run, transient faults survived with exact counts.
 * Retries back off in milliseconds (else production). Cancel, resume and the error codes are the
 * conformance suite's (test/conformance).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gitlabModule } from '../../../src/connectors/gitlab/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import type { WorkItem } from '../../../src/store/types.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import { GitLabFake, type GitLabFakeOptions } from '../../../src/sandbox/fakes/gitlab.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import type { SeedOptions } from '../../../src/sandbox/fakes/gitlab-data.js';

let h: Harness;
let fake: GitLabFake;
beforeAll(async () => {
  h = await startSourceHarness([gitlabModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(async () => fake?.close());

const ctx = { tenantId: null, requestId: 'req-gl', correlationId: null, idempotencyKey: null };
const create = async (config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  (await h.deps.jobs.create({
    source_type: 'gitlab',
    source_config: { base_url: fake.baseUrl, token: fake.token, project_id: fake.project.path, ...config },
    options: { batch_size: 20, ...options },
  }, ctx)).job;
const run = async (config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) => h.waitFor((await create(config, options)).job_id, undefined, 40_000);

async function startFake(issues: number, seed: SeedOptions = {}, opts: GitLabFakeOptions = {}): Promise<GitLabFake> {
  fake = await started(new GitLabFake(opts));
  fake.project.seed(issues, seed);
  return fake;
}

async function stored(): Promise<WorkItem[]> {
  const page = await h.deps.store.listItems({ tenantId: null, limit: 10_000, source_type: 'gitlab' });
  return page.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
}
const userNoteIds = (iid: number) => fake.project.userNotes(iid).map((n) => String(n.id));
const commentsOf = (items: WorkItem[]) => items.reduce((n, i) => n + i.comments.length, 0);
const allUserNotes = () => fake.project.issues.reduce((n, i) => n + fake.project.userNotes(i.iid).length, 0);

describe('GitLab import jobs', () => {
  it.each([
    { n: 0, batches: 1, keyset: 'supported' as const },
    { n: 20, batches: 1, keyset: 'supported' as const },
    { n: 21, batches: 2, keyset: 'supported' as const },
    { n: 0, batches: 1, keyset: 'ignored' as const },
    { n: 20, batches: 1, keyset: 'ignored' as const },
    { n: 21, batches: 2, keyset: 'ignored' as const },
  ])('$n issues, batch size 20, keyset $keyset: exact counts in $batches batch(es)', async ({ n, batches, keyset }) => {
    await startFake(n, {}, { keyset });
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: n, processed_items: n, successful_items: n, failed_items: 0, skipped_items: 0, current_batch: batches });
    const items = await stored();
    expect(items.map((i) => i.key).sort()).toEqual(fake.project.issues.map((i) => `#${i.iid}`).sort());
    expect(commentsOf(items)).toBe(allUserNotes());
  });

  it('2,500 issues: each stored once with every user note, then a re-import skips all of them', async () => {
    // every 50th issue has 130 comments: two notes pages
    await startFake(2500, { userNotes: (i) => (i % 50 === 0 ? 130 : i % 4) });
    // History (three event requests per issue) is measured in depth.test.ts; this is about notes.
    const done = await run({}, { batch_size: 100, include_history: false });
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 2500, processed_items: 2500, successful_items: 2500, failed_items: 0, current_batch: 25 });
    expect(JSON.stringify(done)).not.toContain(fake.token);
    const items = await stored();
    expect(items.map((i) => i.external_id).sort()).toEqual(fake.project.issues.map((i) => String(i.id)).sort());
    for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(userNoteIds(Number(item.key.slice(1))));
    expect(countRequests(fake, /\/notes\?.*page=2/)).toBe(50);

    const again = await run({}, { batch_size: 100, include_history: false });
    expect(again.progress).toMatchObject({ total_items: 2500, processed_items: 2500, skipped_items: 2500, successful_items: 0 });
  }, 60_000);

  it('a 1 MB unicode description and a null assignee are stored intact', async () => {
    await startFake(8);
    const big = `# Ünïcödé 日本語 🚀\n\n${'Zoë → ✓ '.repeat(110_000)}`;
    fake.project.update(3, { description: big });
    const done = await run();
    expect(done.progress).toMatchObject({ processed_items: 8, successful_items: 8 });
    const items = await stored();
    expect(items.find((i) => i.key === '#3')!.description).toBe(big);
    expect(items.find((i) => i.key === '#4')!.assignee).toBeNull(); // the fake leaves every 4th unassigned
    expect(items.find((i) => i.key === '#1')!.title).toBe(fake.project.issue(1)['title']);
  });

  it('incremental after changing 10 issues updates only those; the overlap is skipped', async () => {
    await startFake(200);
    await run();
    const changed = [1, 14, 40, 77, 100, 121, 150, 170, 188, 190];
    for (const iid of changed) fake.project.update(iid, { title: `edited ${iid}` });
    fake.requests.length = 0;
    const done = await run({}, { mode: 'incremental' });
    expect(done.status).toBe('completed');
    expect(done.progress.successful_items).toBe(10);
    expect(done.progress.skipped_items).toBe(done.progress.total_items - 10);
    expect(done.progress.total_items).toBeLessThan(20);
    const updated = done.imported_items.filter((i) => i.action === 'updated').map((i) => i.key).sort();
    expect(updated).toEqual(changed.map((n) => `#${n}`).sort());
    const lists = fake.requests.filter((r) => r.path.endsWith('/issues'));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.query.has('updated_after'))).toBe(true);
  });

  it('dry run fills total_items from x-total and stores nothing', async () => {
    await startFake(77);
    const done = await run({}, { dry_run: true });
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.progress.total_items).toBe(77);
    expect(await stored()).toHaveLength(0);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.query.get('per_page')).toBe('1');
  });

  it('429 `Retry later`, a 500, truncated bodies and a slow answer mid-import: completes with exact counts', async () => {
    // REST faults (list and notes requests): a server without GraphQL
    await startFake(130, { userNotes: (i) => (i % 10 === 0 ? 3 : 1) }, { graphql: 'absent' });
    const list = /\/issues\?.*(cursor|pagination)=/;
    fake.inject({ match: list, kind: 'rate-limited', retryAfterSec: 1 });
    fake.inject({ match: /\/notes/, kind: 'status', status: 500 });
    fake.inject({ match: list, kind: 'truncate' });
    fake.inject({ match: /\/notes/, kind: 'truncate' });
    fake.inject({ kind: 'slow', match: list, delayMs: 300 });
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 130, processed_items: 130, successful_items: 130, failed_items: 0 });
    const items = await stored();
    expect(items).toHaveLength(130);
    expect(commentsOf(items)).toBe(allUserNotes());
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });
});
