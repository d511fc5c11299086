/**
 * Jira end to end through the jobs core (real Redis, PGlite store, BullMQ worker, the real Jira
 * module) against the fake: 0 / one page / one page + 1, 2,500 issues with long comment threads,
 * re-import skipped, incremental touching only changed issues, dry run, transient faults survived
 * with exact counts, and a Data Center run. Depth of data (issue 12): history, custom fields mapped by the
 * module's defaults, completeness and partial items, and the requests per item with and without history. Retries back off in milliseconds (else production).
 * Cancel, resume and the error codes are the conformance suite's (test/conformance).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jiraModule } from '../../../src/connectors/jira/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import type { WorkItem } from '../../../src/store/types.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import { JiraFake, type JiraFakeOptions } from '../../../src/sandbox/fakes/jira.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { generateIssues, type GenerateOptions } from '../../../src/sandbox/fakes/jira-data.js';

let h: Harness;
let fake: JiraFake;
beforeAll(async () => {
  h = await startSourceHarness([jiraModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(async () => fake?.close());

const ctx = { tenantId: null, requestId: 'req-jira', correlationId: null, idempotencyKey: null };
const create = async (config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  (await h.deps.jobs.create({
    source_type: 'jira',
    source_config: { base_url: fake.baseUrl, project_key: 'TEST', ...fake.credentials, ...config },
    options: { batch_size: 20, ...options },
  }, ctx)).job;
const run = async (config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) => h.waitFor((await create(config, options)).job_id, undefined, 40_000);

async function startFake(issues: GenerateOptions, opts: Partial<JiraFakeOptions> = {}): Promise<JiraFake> {
  fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues(issues), ...opts }));
  return fake;
}

async function stored(): Promise<WorkItem[]> {
  const page = await h.deps.store.listItems({ tenantId: null, limit: 10_000, source_type: 'jira' });
  return page.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
}
const searches = () => countRequests(fake, /\/search\/jql$/);

describe('Jira import jobs', () => {
  it.each([
    { n: 0, batches: 1, searches: 1 },
    { n: 20, batches: 1, searches: 1 },
    { n: 21, batches: 2, searches: 2 },
  ])('$n issues with batch size 20: exact counts in $batches batch(es)', async ({ n, batches, searches: expected }) => {
    await startFake({ count: n, comments: (i) => i % 3 });
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: n, processed_items: n, successful_items: n, failed_items: 0, skipped_items: 0, current_batch: batches });
    expect((await stored()).map((i) => i.key).sort()).toEqual(fake.issues.map((i) => i.key).sort());
    expect(searches()).toBe(expected);
  });

  it('2,500 issues: each stored once with every comment, then a re-import skips all of them', async () => {
    // every 100th issue has 45 comments: more than search embeds (20) and than one comment page (20)
    await startFake({ count: 2500, comments: (i) => (i % 100 === 0 ? 45 : i % 4) }, { commentPage: 20 });
    const done = await run({}, { batch_size: 100 });
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 2500, processed_items: 2500, successful_items: 2500, failed_items: 0, current_batch: 25 });
    expect(JSON.stringify(done)).not.toContain((fake.credentials as { api_token: string }).api_token);
    const items = await stored();
    expect(items.map((i) => i.external_id).sort()).toEqual(fake.issues.map((i) => String(i.id)).sort());
    const expected = new Map(fake.issues.map((i) => [String(i.id), i.comments.map((c) => String(c.id))]));
    for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(expected.get(item.external_id));
    expect(countRequests(fake, /\/comment(\?|$)/)).toBe(25 * 3); // 45 comments, 20 a page

    const again = await run({}, { batch_size: 100 });
    expect(again.progress).toMatchObject({ total_items: 2500, processed_items: 2500, skipped_items: 2500, successful_items: 0 });
  }, 60_000);

  it('a 1 MB unicode description and a null assignee are stored intact', async () => {
    await startFake({ count: 8 });
    const big = `Ünïcödé 日本語 🚀 ${'Zoë → ✓ '.repeat(110_000)}`.trim();
    fake.issues[2]!.description = big;
    const done = await run();
    expect(done.progress).toMatchObject({ processed_items: 8, successful_items: 8 });
    const items = await stored();
    expect(items.find((i) => i.key === 'TEST-3')!.description).toContain(`**${big}**`);
    expect(items.find((i) => i.key === 'TEST-2')!.assignee).toBeNull(); // the fake leaves every 4th unassigned
    expect(items.find((i) => i.key === 'TEST-4')!.title).toBe('Ünïcödé issue 4 — 日本語 ✓');
  });

  it('incremental after changing 10 issues updates only those; the overlap is skipped', async () => {
    await startFake({ count: 200, comments: (i) => i % 2 });
    await run();
    const changed = [10000, 10013, 10040, 10077, 10100, 10121, 10150, 10170, 10188, 10190];
    fake.touch(changed);
    fake.requests.length = 0;
    const done = await run({}, { mode: 'incremental' });
    expect(done.status).toBe('completed');
    expect(done.progress.successful_items).toBe(10);
    expect(done.progress.skipped_items).toBe(done.progress.total_items - 10);
    expect(done.progress.total_items).toBeLessThan(20);
    const updated = done.imported_items.filter((i) => i.action === 'updated').map((i) => i.external_id).sort();
    expect(updated).toEqual(changed.map(String));
    expect(String(fake.requests.find((r) => r.path.endsWith('/search/jql'))!.body?.jql)).toMatch(/updated >= "-\d+m"/);
  });

  it('dry run fills total_items from the approximate count and stores nothing', async () => {
    await startFake({ count: 77 });
    const done = await run({}, { dry_run: true });
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.progress.total_items).toBe(77);
    expect(await stored()).toHaveLength(0);
    expect(fake.requests.map((r) => r.path)).toEqual(['/rest/api/3/search/approximate-count']);
  });

  it('429 with Retry-After, a 500, a truncated body and a slow answer mid-import: completes with exact counts', async () => {
    await startFake({ count: 130, comments: (i) => (i % 10 === 0 ? 30 : 1) });
    fake.inject({ kind: 'rate-limited', retryAfterSec: 1, match: /search\/jql$/ });
    fake.inject({ kind: 'reply', match: /\/comment(\?|$)/, status: 500, body: '' });
    fake.inject({ match: /search\/jql$/, kind: 'truncate' });
    fake.inject({ match: /\/comment(\?|$)/, kind: 'truncate' });
    fake.inject({ kind: 'slow', match: /search\/jql$/, delayMs: 300 });
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 130, processed_items: 130, successful_items: 130, failed_items: 0 });
    const items = await stored();
    expect(items).toHaveLength(130);
    expect(items.reduce((n, i) => n + i.comments.length, 0)).toBe(fake.issues.reduce((n, i) => n + i.comments.length, 0));
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('depth: 500 issues with long changelogs stored with full history, mapped fields and complete flags; requests per item with and without history', async () => {
    // every 25th issue has 150 changelog entries (past the 40 search embeds), the rest 0..6
    await startFake({ count: 500, comments: (i) => (i % 50 === 0 ? 45 : i % 4), history: (i) => (i % 25 === 0 ? 150 : i % 7), custom: true });
    const without = await run({}, { batch_size: 100, include_history: false });
    expect(without.progress).toMatchObject({ successful_items: 500, partial_items: 0 });
    const plain = fake.requests.length;
    expect(countRequests(fake, /changelog/)).toBe(0);
    expect((await stored()).every((i) => i.history.length === 0 && i.completeness!.history.state === 'skipped')).toBe(true);

    fake.requests.length = 0;
    const done = await run({}, { batch_size: 100 });
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 500, successful_items: 500, failed_items: 0, partial_items: 0 });
    const withHistory = fake.requests.length;
    expect(countRequests(fake, /\/changelog\/bulkfetch$/)).toBe(5); // one a page: 4 long changelogs, 600 entries
    expect(withHistory).toBe(plain + 5);
    const items = await stored();
    expect(items).toHaveLength(500);
    for (const item of items) {
      const issue = fake.issue(item.external_id)!;
      expect(item.history.length).toBe((issue.history ?? []).reduce((n, h) => n + h.items.length, 0));
      expect(item.completeness).toMatchObject({ comments: { state: 'complete' }, history: { state: 'complete', total: issue.history?.length ?? 0 }, attachments: { state: 'complete' } });
    }
    const first = items.find((i) => i.key === 'TEST-1')!;
    expect(first.fields).toEqual({ story_points: 0.5, due_date: '2024-01-15', sprint: 'Sprint 2', severity: null });
    expect(first.history.at(-1)).toMatchObject({ field: 'summary', at: '2024-01-01T02:30:00.000Z' });
    console.log(`Jira, 500 issues: ${plain} requests without history (${(plain / 500).toFixed(3)}/item), ${withHistory} with (${(withHistory / 500).toFixed(3)}/item)`);

    // the changelog endpoints now stop short of the total: those items are stored as partial, and listed
    fake.changelogCap = 100;
    fake.requests.length = 0;
    const cut = await run({}, { batch_size: 100 });
    expect(cut.progress).toMatchObject({ processed_items: 500, partial_items: 20 });
    const partial = await h.deps.store.jobItems(cut.job_id, { completeness: 'partial', limit: 100 });
    expect(partial.items.map((i) => i.key)).toEqual(fake.issues.filter((_, i) => i % 25 === 0).map((i) => i.key));
    const one = (await stored()).find((i) => i.key === 'TEST-26')!;
    expect(one.completeness!.history).toMatchObject({ state: 'partial', fetched: 100, total: 150, reason: 'Jira changelog has 150 entries, 100 read: Jira answered 100 changelog entries of 150' });
    // the bulk read came up short for 4 issues a page: each was paged on its own (2 pages of 100)
    expect(countRequests(fake, /\/issue\/\d+\/changelog/)).toBe(20 * 2);
  }, 90_000);

  it('Data Center: keyset paging (`id >`) with a bearer token, wiki markup converted', async () => {
    fake = await started(new JiraFake({ flavor: 'dc', issues: generateIssues({ count: 45, comments: (i) => (i % 9 === 0 ? 25 : 1) }) }));
    const done = await run();
    expect(done.progress).toMatchObject({ total_items: 45, processed_items: 45, successful_items: 45 });
    const items = await stored();
    expect(items).toHaveLength(45);
    expect(items.reduce((n, i) => n + i.comments.length, 0)).toBe(fake.issues.reduce((n, i) => n + i.comments.length, 0));
    expect(items.find((i) => i.key === 'TEST-1')!.description).toContain('## Details');
    const pages = fake.requests.filter((r) => r.path === '/rest/api/2/search' && r.body?.maxResults !== 0).map((r) => String(r.body?.jql));
    expect(pages).toEqual(['', 'id > 10019', 'id > 10039'].map((after) => `project = "TEST"${after ? ` AND ${after}` : ''} ORDER BY id ASC`));
  });
});
