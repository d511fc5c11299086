import { afterEach, describe, expect, it } from 'vitest';
import { closeFakes, connectorFor, drain, expectedComments, issueNumbers, startFake } from './helpers.js';

afterEach(closeFakes);

describe('GitHub pages()', () => {
  it('yields nothing for a repository without issues', async () => {
    const fake = await startFake({ issues: 0 });
    const { pages } = await drain(connectorFor(fake));
    expect(pages).toEqual([]);
    expect(fake.requests.some((r) => r.target.includes('/issues?'))).toBe(true);
  });

  it.each([
    ['exactly one page', 100, 1],
    ['one page + 1', 101, 2],
  ])('%s: every listed item once, cursor null only at the end', async (_name, total, expectedPages) => {
    const fake = await startFake({ issues: total, prEvery: 0 });
    const { pages, items } = await drain(connectorFor(fake), { batchSize: 100 });
    expect(pages).toHaveLength(expectedPages);
    expect(items.map((i) => i.key)).toEqual(Array.from({ length: total }, (_, k) => `#${k + 1}`));
    expect(pages.at(-1)!.cursor).toBeNull();
    expect(pages.slice(0, -1).every((p) => p.cursor !== null)).toBe(true);
    expect(pages.at(-1)!.total).toBe(total);
    const issueLists = fake.requests.filter((r) => /\/issues\?|\/repositories\/\d+\/issues\?/.test(r.target) && !r.target.includes('comments'));
    expect(issueLists).toHaveLength(expectedPages);
  });

  it('2,500 issues, a third pull requests: each issue once, in order, with complete comments', async () => {
    const fake = await startFake({ issues: 2500 });
    const connector = connectorFor(fake);
    const { items, pages } = await drain(connector);
    const wanted = issueNumbers(fake);
    expect(wanted.length).toBe(1667);
    expect(items.map((i) => Number(i.key.slice(1)))).toEqual(wanted);
    expect(new Set(items.map((i) => i.external_id)).size).toBe(wanted.length);
    expect(items.every((i) => i.item_type !== 'pull_request')).toBe(true);
    for (const item of items) {
      expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
    }
    // 5,000 comments in the repository, above the bulk cap: its first page is read (it tells the
    // length), then one request per commented issue in scope.
    const commented = wanted.filter((n) => (fake.data.byNumber(n)!['comments'] as number) > 0).length;
    expect(fake.requests.filter((r) => /\/issues\/\d+\/comments/.test(r.target))).toHaveLength(commented);
    expect(fake.requests.filter((r) => r.target.includes('/issues/comments'))).toHaveLength(1);
    expect(fake.requests).toHaveLength(25 + 1 + commented + parentFetches(fake));
    expect(pages.at(-1)!.total).toBe(1667);
  }, 90_000);

  it('follows Link URLs verbatim (the /repositories/{id} form) with the first query carried', async () => {
    const fake = await startFake({ issues: 250, prEvery: 0, commentsFor: () => 0 });
    await drain(connectorFor(fake), { includeComments: false });
    const lists = fake.requests.map((r) => r.target).filter((p) => p.includes('issues?'));
    expect(lists[0]).toMatch(/^\/repos\/octo-org\/hello-world\/issues\?state=all&per_page=100&sort=created&direction=asc$/);
    expect(lists.slice(1).sort()).toEqual([2, 3].map((p) => `/repositories/1300192/issues?state=all&per_page=100&sort=created&direction=asc&page=${p}`));
  });

  it('includes pull requests when asked, typed pull_request', async () => {
    const fake = await startFake({ issues: 30 });
    const { items } = await drain(connectorFor(fake, { include_pull_requests: true }));
    expect(items).toHaveLength(30);
    expect(items.filter((i) => i.item_type === 'pull_request').map((i) => i.key)).toEqual(
      Array.from({ length: 10 }, (_, k) => `#${(k + 1) * 3}`),
    );
  });

  it('filters by state', async () => {
    const fake = await startFake({ issues: 40, prEvery: 0 });
    const { items } = await drain(connectorFor(fake, { state: 'closed' }));
    expect(items.map((i) => i.key)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40].map((n) => `#${n}`));
    expect(items.every((i) => i.status_category === 'done')).toBe(true);
  });

  it('resolves parents to the parent issue id, fetching only parents not seen in the run', async () => {
    const fake = await startFake({ issues: 120 });
    const { records } = await drain(connectorFor(fake), { batchSize: 50 });
    const withParent = records.filter((r) => r.issue.parent_issue_url);
    expect(withParent.length).toBeGreaterThan(5);
    for (const r of withParent) {
      const n = Number(/(\d+)$/.exec(r.issue.parent_issue_url!)![1]);
      expect(r.parent_external_id).toBe(String(fake.data.byNumber(n)!['id']));
    }
    // #4's parent (#49) is on the same first page; none needed a request here.
    expect(parentFetches(fake)).toBe(0);
  });

  it('sends the documented headers and the token as Bearer', async () => {
    const fake = await startFake({ issues: 1 });
    await drain(connectorFor(fake));
    for (const r of fake.requests) {
      expect(r.headers['accept']).toBe('application/vnd.github+json');
      expect(r.headers['x-github-api-version']).toBe('2022-11-28');
      expect(r.headers['user-agent']).toBeTruthy();
      expect(r.headers['authorization']).toBe(`Bearer ${fake.token}`);
    }
  });

  it('works against GitHub Enterprise Server under /api/v3 and without a token', async () => {
    const fake = await startFake({ issues: 150, prefix: '/api/v3' });
    const connector = connectorFor(fake, { token: undefined });
    const { items } = await drain(connector, { batchSize: 100 });
    expect(items).toHaveLength(100);
    expect(fake.requests.every((r) => r.target.startsWith('/api/v3/'))).toBe(true);
    expect(fake.requests.every((r) => r.headers['authorization'] === undefined)).toBe(true);
    expect(await connector.count({ since: null, signal: new AbortController().signal })).toBe(100);
  });
});

function parentFetches(fake: { requests: { target: string }[] }): number {
  return fake.requests.filter((r) => /\/issues\/\d+$/.test(r.target)).length;
}
