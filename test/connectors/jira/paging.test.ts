/** Cloud paging through a real SourceHttp against the fake: sizes, comments, totals, request shapes. */
import { afterEach, describe, expect, it } from 'vitest';
import { JiraFake } from '../../../src/sandbox/fakes/jira.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { generateIssues } from '../../../src/sandbox/fakes/jira-data.js';
import { connectorFor, drain, ids } from './support.js';

let fake: JiraFake;
afterEach(async () => fake.close());

async function start(count: number, comments?: (i: number) => number): Promise<JiraFake> {
  fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count, comments }) }));
  return fake;
}

describe('Jira Cloud paging', () => {
  it.each([
    ['0 items', 0, 1],
    ['exactly one page', 100, 1],
    ['one page + 1', 101, 2],
  ])('%s', async (_name, count, pages) => {
    await start(count);
    const out = await drain(connectorFor(fake));
    expect(out.pages).toHaveLength(pages);
    expect(ids(out.records)).toEqual(fake.issues.map((i) => String(i.id)));
    expect(out.pages.at(-1)!.cursor).toBeNull();
    expect(out.pages.at(-1)!.total).toBe(count);
  });

  it('imports 2,500 issues once each with every comment, paging threads longer than the embedded 20', async () => {
    await start(2500, (i) => (i % 50 === 0 ? 130 : i % 7 === 0 ? 21 : i % 3));
    const connector = connectorFor(fake);
    const out = await drain(connector, { batchSize: 1000 });
    expect(ids(out.records)).toHaveLength(2500);
    for (const [n, raw] of out.records.entries()) {
      const item = connector.normalize(raw);
      expect(item.comments.map((c) => c.external_id)).toEqual(fake.issues[n]!.comments.map((c) => String(c.id)));
    }
    // maxResults 1000 was capped to 100 by the server: paging followed the tokens, not the page size.
    expect(out.pages).toHaveLength(25);
    const long = fake.issues.filter((i) => i.comments.length > 20);
    const threadPages = long.reduce((n, i) => n + Math.ceil(i.comments.length / 100), 0);
    expect(countRequests(fake, /\/comment(\?|$)/)).toBe(threadPages);
    expect(countRequests(fake, /^\/rest\/api\/3\/search$/)).toBe(0);
  });

  it('asks for explicit fields and a bounded, id-ordered JQL, and counts with approximate-count', async () => {
    await start(3);
    const out = await drain(connectorFor(fake));
    const search = fake.requests.find((r) => r.path === '/rest/api/3/search/jql')!;
    expect(search.method).toBe('POST');
    expect(search.body!.jql).toBe('project = "TEST" ORDER BY id ASC');
    expect(search.body!.fields).toEqual(expect.arrayContaining(['summary', 'status', 'comment', 'description']));
    expect(countRequests(fake, /approximate-count$/)).toBe(1);
    expect(out.pages[0]!.total).toBe(3);
  });

  it('does not ask for comments when includeComments is false', async () => {
    await start(5, () => 30);
    const connector = connectorFor(fake);
    const out = await drain(connector, { includeComments: false });
    expect(countRequests(fake, /\/comment(\?|$)/)).toBe(0);
    expect(fake.requests.find((r) => r.path.endsWith('/search/jql'))!.body!.fields).not.toContain('comment');
    expect(connector.normalize(out.records[0]).comments).toEqual([]);
  });

  it('keeps the user jql condition, replaces its ORDER BY, and reads project per item', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', projects: ['TEST', 'OPS'], issues: [
      ...generateIssues({ count: 4, project: 'TEST' }), ...generateIssues({ count: 4, project: 'OPS', firstId: 20000 }),
    ] }));
    const connector = connectorFor(fake, { project_key: undefined, jql: 'project in (TEST, OPS) AND labels = backend ORDER BY created DESC' });
    const out = await drain(connector);
    expect(fake.requests.find((r) => r.path.endsWith('/search/jql'))!.body!.jql)
      .toBe('(project in (TEST, OPS) AND labels = backend) ORDER BY id ASC');
    expect(out.records.map((r) => connector.normalize(r).project)).toEqual(['TEST', 'TEST', 'OPS', 'OPS']);
  });

  it('normalizes unicode, null assignees and a 1 MB description', async () => {
    await start(8);
    const big = 'ß✓日本語 '.repeat(130_000);
    fake.issues[0]!.description = big;
    const connector = connectorFor(fake);
    const items = (await drain(connector)).records.map((r) => connector.normalize(r));
    expect(items[0]!.description).toContain(big.trim());
    expect(items[3]!.title).toBe('Ünïcödé issue 4 — 日本語 ✓');
    expect(items[1]!.assignee).toBeNull();
    expect(items[0]!.assignee).toEqual({ external_id: '5b10a2844c20165700ede21g', name: 'Jane Smith', email: 'jane@example.com', email_verified: true });
    expect(items[2]!.assignee).toEqual({ external_id: '712020:0e4b2d1c-aaaa-bbbb', name: '田中 太郎', email: 'tanaka@example.jp', email_verified: true });
  });

  it('the fake answers the removed /rest/api/3/search with the documented 410', async () => {
    await start(1);
    const res = await fetch(`${fake.baseUrl}/rest/api/3/search?jql=project%3DTEST`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { errorMessages: string[] }).errorMessages[0]).toContain('/rest/api/3/search/jql');
  });

  it('the fake answers a search without `fields` with issue ids only, as documented', async () => {
    await start(2);
    const auth = `Basic ${Buffer.from('fred@example.com:cloud-api-token-XYZ').toString('base64')}`;
    const res = await fetch(`${fake.baseUrl}/rest/api/3/search/jql`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ jql: 'project = TEST' }),
    });
    expect(((await res.json()) as { issues: unknown[] }).issues).toEqual([{ id: '10000' }, { id: '10001' }]);
  });

  it('count() is the approximate count of the scope', async () => {
    await start(42);
    expect(await connectorFor(fake).count({ since: null, signal: new AbortController().signal })).toBe(42);
  });
});
