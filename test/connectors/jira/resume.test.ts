/** Resume from a page's cursor, incremental `since`, and abort. */
import { afterEach, describe, expect, it } from 'vitest';
import { JiraFake } from '../../../src/sandbox/fakes/jira.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { generateIssues } from '../../../src/sandbox/fakes/jira-data.js';
import { connectorFor, drain, ids, type RawIssue } from './support.js';

let fake: JiraFake;
afterEach(async () => fake.close());

const searches = (): { jql: string; token: unknown; status: number }[] =>
  fake.requests.filter((r) => r.path.endsWith('/search/jql')).map((r) => ({ jql: String(r.body?.jql), token: r.body?.nextPageToken, status: r.status }));

async function firstPages(n: number): Promise<{ records: RawIssue[]; cursor: string }> {
  const out = await drain(connectorFor(fake), {});
  const records = out.pages.slice(0, n).flatMap((p) => p.records as RawIssue[]);
  fake.requests.length = 0;
  return { records, cursor: out.pages[n - 1]!.cursor! };
}

describe('Jira resume, incremental and abort', () => {
  it('resumes after a mid cursor with its nextPageToken and fetches only the remaining pages', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 450 }) }));
    const before = await firstPages(2);
    const after = await drain(connectorFor(fake), { cursor: before.cursor });
    expect(ids([...before.records, ...after.records])).toEqual(fake.issues.map((i) => String(i.id)));
    expect(after.pages).toHaveLength(3);
    const s = searches();
    expect(s).toHaveLength(3);
    expect(s.every((x) => x.token !== undefined && x.status === 200)).toBe(true);
    expect(after.pages.at(-1)!.total).toBe(450);
  });

  it('falls back to `id > last` when Jira refuses the saved token', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 450 }) }));
    const before = await firstPages(2);
    fake.rejectTokens = true;
    const after = await drain(connectorFor(fake), { cursor: before.cursor });
    expect(ids([...before.records, ...after.records])).toEqual(fake.issues.map((i) => String(i.id)));
    const s = searches();
    expect(s[0]!.status).toBe(400);
    expect(s[1]!.jql).toBe(`project = "TEST" AND id > ${before.records.at(-1)!.id} ORDER BY id ASC`);
    expect(s[1]!.token).toBeUndefined();
  });

  it('does not even try a token older than 7 days', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 250 }) }));
    const before = await firstPages(1);
    const old = JSON.stringify({ ...JSON.parse(before.cursor), tokenAt: Date.now() - 8 * 86_400_000 });
    const after = await drain(connectorFor(fake), { cursor: old });
    expect(ids([...before.records, ...after.records])).toHaveLength(250);
    expect(searches().every((x) => x.token === undefined || x.status === 200)).toBe(true);
    expect(searches()[0]!.jql).toContain(`id > ${before.records.at(-1)!.id}`);
  });

  it('incremental since: only the issues changed after it, with a relative JQL period', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 300 }) }));
    const changed = [10003, 10050, 10100, 10101, 10150, 10200, 10201, 10250, 10298, 10299];
    fake.touch(changed);
    const since = new Date(Date.now() - 5 * 60_000);
    const connector = connectorFor(fake);
    const out = await drain(connector, { since });
    expect(ids(out.records)).toEqual(changed.map(String));
    expect(out.records.every((r) => connector.normalize(r).title.endsWith('(edited)'))).toBe(true);
    expect(searches()[0]!.jql).toMatch(/^project = "TEST" AND updated >= "-(5|6)m" ORDER BY id ASC$/);
    expect(await connector.count({ since, signal: new AbortController().signal })).toBe(10);
  });

  it('abort stops requests: the pending call rejects with the reason and nothing more is sent', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', latencyMs: 20, issues: generateIssues({ count: 500, comments: (i) => (i % 10 === 0 ? 25 : 0) }) }));
    const ac = new AbortController();
    const it = connectorFor(fake).pages({ cursor: null, since: null, batchSize: 100, includeComments: true, signal: ac.signal })[Symbol.asyncIterator]();
    await it.next();
    const reason = new Error('cancelled by test');
    ac.abort(reason);
    await expect(it.next()).rejects.toBe(reason);
    const sent = fake.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.requests.length).toBe(sent);
    expect(countRequests(fake, /search\/jql$/)).toBeLessThanOrEqual(2);
  });

  it('an already aborted signal sends nothing', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 5 }) }));
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(drain(connectorFor(fake), { signal: ac.signal })).rejects.toThrow('stop');
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.requests).toHaveLength(0);
  });
});
