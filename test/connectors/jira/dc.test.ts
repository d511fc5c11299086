/** Data Center (REST v2, Bearer PAT, wiki markup): keyset paging with exact totals, comments, errors. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { JiraFake } from '../../../src/sandbox/fakes/jira.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { generateIssues } from '../../../src/sandbox/fakes/jira-data.js';
import { connectorFor, drain, ids, type RawIssue } from './support.js';

let fake: JiraFake;
afterEach(async () => fake.close());

async function start(count: number): Promise<JiraFake> {
  fake = await started(new JiraFake({ flavor: 'dc', issues: generateIssues({ count, comments: (i) => (i % 25 === 0 ? 140 : i % 4) }) }));
  return fake;
}

describe('Jira Data Center', () => {
  it('pages by id keyset with exact totals and complete comments, never touching Cloud endpoints', async () => {
    await start(250);
    const connector = connectorFor(fake);
    const out = await drain(connector);
    expect(ids(out.records)).toEqual(fake.issues.map((i) => String(i.id)));
    expect(out.pages.map((p) => p.total)).toEqual([250, 250, 250]);
    const jqls = fake.requests.filter((r) => r.path === '/rest/api/2/search').map((r) => r.body!.jql);
    expect(jqls).toEqual(['project = "TEST" ORDER BY id ASC', 'project = "TEST" AND id > 10099 ORDER BY id ASC', 'project = "TEST" AND id > 10199 ORDER BY id ASC']);
    for (const [n, raw] of out.records.entries()) {
      expect(connector.normalize(raw).comments).toHaveLength(fake.issues[n]!.comments.length);
    }
    expect(countRequests(fake, /^\/rest\/api\/2\/issue\/\d+\/comment(\?|$)/)).toBe(10 * 2);
    expect(countRequests(fake, /^\/rest\/api\/3\//)).toBe(0);
  });

  it('normalizes wiki markup and Data Center users', async () => {
    await start(3);
    const connector = connectorFor(fake);
    const [first, second] = (await drain(connector)).records.map((r) => connector.normalize(r));
    expect(first!.description).toBe('## Details\n\n**Description of issue 1**\n\n- first point\n- second point');
    expect(first!.assignee).toEqual({ external_id: 'JIRAUSER10100', name: 'Jane Smith', email: 'jane@example.com', email_verified: false });
    expect(second!.assignee).toBeNull();
    expect(second!.reporter).toEqual({ external_id: 'JIRAUSER10102', name: '田中 太郎', email: 'tanaka@example.jp', email_verified: false });
  });

  it('counts with maxResults=0 and resumes from a cursor with only the remaining pages', async () => {
    await start(250);
    const connector = connectorFor(fake);
    expect(await connector.count({ since: null, signal: new AbortController().signal })).toBe(250);
    expect(fake.requests[0]!.body!.maxResults).toBe(0);
    const full = await drain(connector, { includeComments: false });
    fake.requests.length = 0;
    const rest = await drain(connector, { includeComments: false, cursor: full.pages[0]!.cursor });
    expect(ids(rest.records)).toEqual(fake.issues.slice(100).map((i) => String(i.id)));
    expect(fake.requests).toHaveLength(2);
    expect(rest.pages.map((p) => p.total)).toEqual([250, 250]);
  });

  it('incremental: the `updated >=` period is recomputed per search, so an import that runs long misses nothing', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await start(250);
      fake.touch(fake.issues.map((i) => i.id));
      const since = new Date(Date.now() - 5 * 60_000);
      const pages = connectorFor(fake).pages({ cursor: null, since, batchSize: 100, includeComments: false, signal: new AbortController().signal });
      const records: RawIssue[] = [];
      const searches = (): number => countRequests(fake, /^\/rest\/api\/2\/search$/);
      for await (const page of pages) {
        records.push(...(page.records as RawIssue[]));
        // Once the prefetched search has been answered, half an hour passes before the next one.
        while (searches() < Math.min(3, records.length / 100 + 1)) await new Promise((r) => setTimeout(r, 5));
        vi.setSystemTime(Date.now() + 30 * 60_000);
      }
      expect(ids(records)).toEqual(fake.issues.map((i) => String(i.id)));
      const jqls = fake.requests.filter((r) => r.path === '/rest/api/2/search').map((r) => String(r.body!.jql));
      expect(jqls[2]).toMatch(/updated >= "-(35|36)m" AND id > 10199/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a wrong personal access token → SOURCE_AUTH_FAILED without the token in the message', async () => {
    await start(3);
    const err = await drain(connectorFor(fake, { personal_access_token: 'bad-pat-123' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('SOURCE_AUTH_FAILED');
    expect((err as SourceError).message).not.toContain('bad-pat-123');
  });
});
