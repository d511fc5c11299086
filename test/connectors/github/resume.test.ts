import { afterEach, describe, expect, it } from 'vitest';
import type { GithubRecord } from '../../../src/connectors/github/normalize.js';
import { closeFakes, connectorFor, drain, expectedComments, issueNumbers, startFake } from './helpers.js';

afterEach(closeFakes);

const numbersOf = (items: { key: string }[]) => items.map((i) => Number(i.key.slice(1)));

describe('GitHub resume, incremental, abort', () => {
  it('resumes right after a mid cursor: the two runs together hold every issue exactly once', async () => {
    const fake = await startFake({ issues: 1000 });
    const first = await drain(connectorFor(fake), { batchSize: 100 });
    const cut = 3;
    const before = first.pages.slice(0, cut).flatMap((p) => p.records as GithubRecord[]).map((r) => r.issue.number);
    fake.requests.length = 0;
    const rest = await drain(connectorFor(fake), { batchSize: 100, cursor: first.pages[cut - 1]!.cursor });
    expect([...before, ...numbersOf(rest.items)]).toEqual(issueNumbers(fake));
    // The resumed walk starts at the page after the cursor, not at page 1.
    const issueLists = fake.requests.filter((r) => /issues\?/.test(r.target) && !r.target.includes('comments'));
    expect(issueLists[0]!.target).toMatch(/page=4$/);
    expect(issueLists).toHaveLength(7);
    for (const item of rest.items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
    // A parent on a page that this run did not read is fetched by its URL.
    const child = rest.records.find((r) => r.issue.number === 302)!;
    expect(child.parent_external_id).toBe(String(fake.data.byNumber(292)!['id']));
    expect(fake.requests.filter((r) => /\/issues\/\d+$/.test(r.target)).map((r) => r.target)).toContain('/repos/octo-org/hello-world/issues/292');
  });

  it('incremental after changing 10 issues yields only those, with all their comments', async () => {
    const fake = await startFake({ issues: 2500 });
    const changed = [5, 77, 301, 302, 1000, 1501, 1999, 2200, 2401, 2500].filter((n) => !fake.data.isPr(n));
    const since = new Date(Date.now() - 1000);
    for (const n of changed) fake.data.edit(n, { title: `edited ${n}` });
    fake.data.addComment(77, 'a new comment');
    const { items } = await drain(connectorFor(fake), { since });
    expect(numbersOf(items)).toEqual(changed);
    expect(items.every((i) => i.title.startsWith('edited'))).toBe(true);
    for (const item of items) expect(item.comments.map((c) => c.external_id)).toEqual(expectedComments(fake, Number(item.key.slice(1))));
    expect(items.find((i) => i.key === '#77')!.comments.at(-1)!.body).toBe('a new comment');
    // Few changed issues: their comments come per issue rather than by reading every comment of the repository.
    const commentRequests = fake.requests.filter((r) => r.target.includes('comments'));
    expect(commentRequests.length).toBeLessThanOrEqual(changed.length + 1);
    const firstList = fake.requests.map((r) => decodeURIComponent(r.target)).find((p) => p.includes('/issues?'));
    expect(firstList).toContain(`since=${since.toISOString().slice(0, 19)}Z`);
  });

  it('an issue deleted (410) or transferred (404) after it was listed keeps the run going, without comments', async () => {
    const fake = await startFake({ issues: 2500 });
    const changed = [301, 1001, 1501];
    const since = new Date(Date.now() - 1000);
    for (const n of changed) fake.data.edit(n, { title: `edited ${n}` });
    fake.inject({ kind: 'gone', match: /\/issues\/301\/comments/ });
    fake.inject({ kind: 'moved', match: /\/issues\/1001\/comments/ });
    const { items } = await drain(connectorFor(fake), { since });
    expect(numbersOf(items)).toEqual(changed);
    expect(items.map((i) => i.comments.length)).toEqual([0, 0, expectedComments(fake, 1501).length]);
    expect(expectedComments(fake, 301).length * expectedComments(fake, 1001).length).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.status === 410 || r.status === 404)).toHaveLength(2);
  });

  it('stops sending requests once aborted and rejects with the abort reason', async () => {
    const fake = await startFake({ issues: 1000, latencyMs: 20 });
    const ac = new AbortController();
    const pages = connectorFor(fake).pages({ cursor: null, since: null, batchSize: 50, includeComments: true, signal: ac.signal });
    const iterator = pages[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const reason = new Error('cancelled by test');
    ac.abort(reason);
    await expect(iterator.next()).rejects.toBe(reason);
    const abortedAt = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    // Requests already on the wire may still land right away; nothing is sent after that.
    expect(fake.requests.filter((r) => r.at > abortedAt + 50)).toEqual([]);
    // Of 20 issue pages, only the first and the window ahead (4) were requested.
    expect(fake.requests.filter((r) => /\/issues\?/.test(r.target)).length).toBeLessThanOrEqual(6);
  });
});
