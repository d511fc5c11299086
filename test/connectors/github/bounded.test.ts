/**
 * CONTRACT §7 for GitHub: paging that does not advance fails the walk, and comments are held in
 * bounded memory — the repository-wide list only while it is small, else per issue of the page
 * at hand, with the choice in the checkpoint so a resumed job does not start over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SourcePage } from '../../../src/connectors/connector.js';
import { TEST_POLICY } from '../../support/policy.js';

const BULK_PAGES_CAP = TEST_POLICY.sources.github.bulkCommentPages;
import type { GithubRecord } from '../../../src/connectors/github/normalize.js';
import { closeFakes, connectorFor, drain, expectedComments, issueNumbers, startFake } from './helpers.js';

afterEach(closeFakes);

const issueLists = (paths: string[]) => paths.filter((p) => /\/issues\?/.test(p));
const bulkRequests = (paths: string[]) => paths.filter((p) => p.includes('/issues/comments'));
const perIssueRequests = (paths: string[]) => paths.map((p) => /\/issues\/(\d+)\/comments/.exec(p)?.[1]).filter((n) => n !== undefined).map(Number);

describe('GitHub paging that does not advance', () => {
  it.each([
    ['from page 1', /\/issues\?/],
    ['from page 2', /\/issues\?.*page=\d/],
  ])('an issue list serving the same page again %s fails with SOURCE_RESPONSE_INVALID within a few requests', async (_name, match) => {
    const fake = await startFake({ issues: 500, prEvery: 0, commentsFor: () => 0 });
    fake.inject({ kind: 'loop', match, times: Infinity });
    const err = await drain(connectorFor(fake), { includeComments: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringMatching(/GitHub issues of octo-org\/hello-world: .*(did|does) not advance/) });
    expect(issueLists(fake.requests.map((r) => r.target)).length).toBeLessThanOrEqual(6);
  });

  it('a per-issue comment list that loops fails the same way', async () => {
    // 3,150 comments: above the cap, so comments are read per issue.
    const fake = await startFake({ issues: 30, prEvery: 0, commentsFor: (n) => (n === 7 ? 250 : 100) });
    fake.inject({ kind: 'loop', match: /\/issues\/7\/comments/, times: Infinity });
    const err = await drain(connectorFor(fake)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringContaining('comments of octo-org/hello-world#7') });
    expect(perIssueRequests(fake.requests.map((r) => r.target)).filter((n) => n === 7).length).toBeLessThanOrEqual(5);
  });
});

describe('GitHub comments in bounded memory', () => {
  it(`reads the repository-wide list only while it is at most ${BULK_PAGES_CAP} pages`, async () => {
    const small = await startFake({ issues: 500 }); // 1,000 comments: 10 pages
    const { items } = await drain(connectorFor(small));
    for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(small, Number(item.key.slice(1))));
    const paths = small.requests.map((r) => r.target);
    expect(bulkRequests(paths)).toHaveLength(10);
    expect(perIssueRequests(paths)).toEqual([]);

    const big = await startFake({ issues: 700, commentsFor: () => 3 }); // 2,100 comments: 21 pages
    const run = await drain(connectorFor(big));
    for (const item of run.items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(big, Number(item.key.slice(1))));
    const bigPaths = big.requests.map((r) => r.target);
    expect(bulkRequests(bigPaths)).toHaveLength(1); // its first page tells how long it is, nothing more is read
    expect(perIssueRequests(bigPaths).sort((a, b) => a - b)).toEqual(issueNumbers(big));
  }, 60_000);

  it('a comment added after the bulk read is not lost: that issue is read on its own', async () => {
    const fake = await startFake({ issues: 1000, prEvery: 0 }); // 2,000 comments: 20 pages, read in bulk
    const connector = connectorFor(fake);
    const pages = connector.pages({ cursor: null, since: null, batchSize: 100, includeComments: true, signal: new AbortController().signal });
    const got: SourcePage[] = [];
    for await (const page of pages) {
      // Page 1 is prepared with the bulk list in hand; page 10, listed later, has #950 with one comment more.
      if (got.push(page) === 1) fake.data.addComment(950, 'late');
    }
    const records = got.flatMap((p) => p.records as GithubRecord[]);
    expect(records.find((r) => r.issue.number === 950)!.comments.at(-1)!.body).toBe('late');
    expect(perIssueRequests(fake.requests.map((r) => r.target))).toEqual([950]);
  });

  it('a job resumed from a checkpoint reads comments per issue from there on, not the repository list from page 1', async () => {
    const fake = await startFake({ issues: 1100 }); // 2,200 comments: above the cap
    const first = connectorFor(fake).pages({ cursor: null, since: null, batchSize: 100, includeComments: true, signal: new AbortController().signal });
    const done: SourcePage[] = [];
    for await (const page of first) if (done.push(page) === 4) break; // the worker dies after its 4th checkpoint
    const cursor = done.at(-1)!.cursor!;
    expect(JSON.parse(cursor)).toMatchObject({ comments: 'per-issue' });
    const crashedAt = Date.now();
    const rest = await drain(connectorFor(fake), { cursor });
    const after = fake.requests.filter((r) => r.at >= crashedAt).map((r) => r.target);
    expect(bulkRequests(after)).toEqual([]);
    const before = done.flatMap((p) => p.records as GithubRecord[]).map((r) => r.issue.number);
    expect([...before, ...rest.records.map((r) => r.issue.number)]).toEqual(issueNumbers(fake));
    const asked = perIssueRequests(after);
    expect(Math.min(...asked)).toBeGreaterThan(Math.max(...before));
    for (const item of rest.items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
  }, 60_000);
});
