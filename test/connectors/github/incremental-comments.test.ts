/**
 * Incremental GitHub runs read comments by the repository-wide list with `since` and merge them into
 * the stored items (src/connectors/github/comments.ts, 'changed' mode): few requests, and every
 * changed item still ends with exactly the issue's comments — old ones kept, edited ones replaced,
 * new ones added, deleted ones gone (through the issue's own list when the merge does not add up).
 * Through the jobs core (real Redis, PGlite store, BullMQ worker) against the GitHub fake.
 * History is left out (include_history false): these runs count comment requests only; what history
 * costs is depth.test.ts's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubModule } from '../../../src/connectors/github/index.js';
import type { ConnectorModule, ItemComment, StoredItems } from '../../../src/connectors/connector.js';
import type { WorkItem } from '../../../src/store/types.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import { closeFakes, connectorFor, drain, expectedComments, startFake } from './helpers.js';
import type { GithubFake } from '../../../src/sandbox/fakes/github.js';

let h: Harness;
beforeAll(async () => {
  h = await startSourceHarness([githubModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(closeFakes);

const ctx = { tenantId: null, requestId: 'req-gh-incr', correlationId: null, idempotencyKey: null };
async function run(fake: GithubFake, options: Record<string, unknown> = {}) {
  const { job } = await h.deps.jobs.create({
    source_type: 'github',
    source_config: { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo },
    options: { batch_size: 100, include_history: false, ...options },
  }, ctx);
  const done = await h.waitFor(job.job_id, undefined, 40_000);
  expect(done).toMatchObject({ status: 'completed', error_code: null });
  return done;
}

async function stored(fake: GithubFake, n: number): Promise<WorkItem> {
  const page = await h.deps.store.listItems({ tenantId: null, limit: 10, source_type: 'github', q: `Issue number ${n}` });
  const item = page.items.find((i) => i.key === `#${n}` && i.source_instance === new URL(fake.baseUrl).host);
  if (!item) throw new Error(`#${n} is not stored`);
  return item;
}

/** The issue's comments at the source, as the store should hold them. */
const sourceComments = (fake: GithubFake, n: number) => fake.data.commentsOf(n).map((c) => ({ external_id: String(c['id']), body: c['body'] }));
const storedComments = (item: WorkItem) => item.comments.map((c) => ({ external_id: c.external_id, body: c.body }));
const commentIdsOf = (fake: GithubFake, n: number) => fake.data.commentsOf(n).map((c) => c['id'] as number);
const perIssueLists = (fake: GithubFake) => fake.requests.filter((r) => /\/issues\/\d+\/comments/.test(r.target)).map((r) => Number(/issues\/(\d+)/.exec(r.target)![1]));

describe('GitHub incremental comments', () => {
  it('10 changed issues cost at most 5 requests and every changed item keeps, replaces and adds its comments', async () => {
    const fake = await startFake({ issues: 600 });
    await run(fake);
    const changed = [1, 50, 101, 202, 250, 301, 352, 401, 499, 500];
    for (const n of changed) fake.data.edit(n, { title: `Issue number ${n} edited` });
    fake.data.addComment(50, 'a first comment on #50'); // had none
    fake.data.addComment(401, 'a new comment on #401');
    fake.data.editComment(commentIdsOf(fake, 499)[1]!, 'the second comment of #499, edited');
    fake.data.editComment(commentIdsOf(fake, 301)[0]!, 'the first comment of #301, edited');
    fake.requests.length = 0;

    const done = await run(fake, { mode: 'incremental' });
    // the repository, the search count, one page of issues since, one page of comments since
    expect(fake.requests.length).toBeLessThanOrEqual(5);
    expect(perIssueLists(fake)).toEqual([]);
    expect(fake.requests.filter((r) => /\/issues\/\d+$/.test(r.target.split('?')[0]!))).toEqual([]); // parents came from the store
    expect(done.progress.successful_items).toBe(10);
    expect(done.progress.skipped_items).toBe(done.progress.total_items - 10);
    expect(done.imported_items.filter((i) => i.action === 'updated').map((i) => i.key).sort()).toEqual(changed.map((n) => `#${n}`).sort());
    for (const n of changed) expect(storedComments(await stored(fake, n))).toEqual(sourceComments(fake, n));
    expect((await stored(fake, 499)).comments).toHaveLength(4);
    expect((await stored(fake, 499)).comments[1]!.body).toBe('the second comment of #499, edited');
    expect((await stored(fake, 401)).comments.at(-1)!.body).toBe('a new comment on #401');
    expect(Object.keys((await stored(fake, 401)).raw as object)).not.toContain('earlier_comments'); // raw is the issue as received
    expect((await stored(fake, 202)).parent_external_id).toBe(String(fake.data.byNumber(191)!['id']));
    expect((await stored(fake, 352)).parent_external_id).toBe(String(fake.data.byNumber(341)!['id']));

    // Nothing changed since: the same few requests, every item unchanged (the merged item hashes as the full one did).
    fake.requests.length = 0;
    const again = await run(fake, { mode: 'incremental' });
    expect(again.progress.successful_items).toBe(0);
    expect(fake.requests.length).toBeLessThanOrEqual(5);
  });

  it('an issue whose merged comments do not add up is read whole: a deleted comment, an item stored without comments', async () => {
    const fake = await startFake({ issues: 40, prEvery: 0 });
    await run(fake, { include_comments: false });
    fake.data.edit(13, { title: 'Issue number 13 edited' }); // stored with no comments, has 3
    fake.data.edit(14, { title: 'Issue number 14 edited' }); // stored with no comments, has 4
    fake.requests.length = 0;
    await run(fake, { mode: 'incremental' });
    expect(perIssueLists(fake)).toEqual(expect.arrayContaining([13, 14])); // with the commented issues of the overlap window, stored without comments too
    expect(storedComments(await stored(fake, 13))).toEqual(sourceComments(fake, 13));
    expect((await stored(fake, 13)).comments).toHaveLength(3);

    const [first, second] = commentIdsOf(fake, 13);
    fake.data.deleteComment(second!);
    fake.data.editComment(first!, 'first, edited');
    fake.data.edit(13, { title: 'Issue number 13 edited again' });
    fake.data.addComment(14, 'new on 14'); // 14 had 4: the merge adds up, no list of its own
    fake.requests.length = 0;
    await run(fake, { mode: 'incremental' });
    expect(perIssueLists(fake)).toEqual([13]);
    expect(storedComments(await stored(fake, 13))).toEqual(sourceComments(fake, 13));
    expect((await stored(fake, 13)).comments.map((c) => c.body)).toEqual(['first, edited', expect.any(String)]);
    expect(storedComments(await stored(fake, 14))).toEqual(sourceComments(fake, 14));
    expect((await stored(fake, 14)).comments).toHaveLength(5);
  });
});

/** A store port over a plain map, counting its reads. */
function storedPort(comments: Map<string, ItemComment[]>) {
  const reads = { comments: 0, keys: 0 };
  const port: StoredItems = {
    comments: async (ids) => (reads.comments++, new Map(ids.filter((id) => comments.has(id)).map((id) => [id, comments.get(id)!]))),
    idsByKey: async () => (reads.keys++, new Map()),
  };
  return { port, reads };
}

describe('GitHub pages() with `since` and the store at hand', () => {
  it('records the changed-comments mode in each cursor and a resumed walk keeps merging', async () => {
    const fake = await startFake({ issues: 60, prEvery: 0 });
    const full = await drain(connectorFor(fake));
    const { port, reads } = storedPort(new Map(full.items.map((i) => [i.external_id, i.comments])));
    // Issues 20.. and every closed one (updated a day later) are listed; the older comments come from the store.
    const since = new Date(Date.parse(String(fake.data.byNumber(20)!['created_at'])));
    const first = await drain(connectorFor(fake), { since, stored: port, batchSize: 20 });
    expect(first.pages.length).toBeGreaterThan(1);
    expect(first.pages.slice(0, -1).every((p) => JSON.parse(p.cursor!).comments === 'changed')).toBe(true);
    expect(reads.comments).toBe(first.pages.length); // one read per page
    expect(first.records.some((r) => (r.earlier_comments?.length ?? 0) > 0 && r.comments.length > 0)).toBe(true);
    fake.requests.length = 0;
    const resumed = await drain(connectorFor(fake), { since, stored: port, batchSize: 20, cursor: first.pages[0]!.cursor });
    expect(resumed.items.map((i) => i.key)).toEqual(first.items.slice(first.pages[0]!.records.length).map((i) => i.key));
    for (const item of [...first.items, ...resumed.items]) {
      expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
    }
    expect(fake.requests.filter((r) => /\/issues\/\d+\/comments/.test(r.target))).toEqual([]);
  });

  it('a changed-comments list past the cap is not read: complete lists per issue, nothing merged', async () => {
    const fake = await startFake({ issues: 210, prEvery: 0, commentsFor: () => 10 }); // 2,100 comments: 21 pages
    const { port, reads } = storedPort(new Map());
    const { items, records } = await drain(connectorFor(fake), { since: new Date(0), stored: port });
    expect(fake.requests.filter((r) => r.target.includes('/issues/comments?'))).toHaveLength(1); // the probe only
    expect(reads.comments).toBe(0);
    expect(records.every((r) => r.earlier_comments === undefined)).toBe(true);
    for (const item of items) expect(item.comments).toHaveLength(10);
  });
});
