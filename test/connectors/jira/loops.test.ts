/** A Jira that pages forever (CONTRACT §7): the import fails with SOURCE_RESPONSE_INVALID naming what did not advance. */
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { JiraFake } from '../../../src/sandbox/fakes/jira.js';
import { generateIssues } from '../../../src/sandbox/fakes/jira-data.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { connectorFor, drain } from './support.js';

let fake: JiraFake;
afterEach(async () => fake.close());

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  expect((err as SourceError).code).toBe('SOURCE_RESPONSE_INVALID');
  return err as SourceError;
}

const issue = (id: number) => ({ id: String(id), key: `TEST-${id - 9999}`, fields: { summary: `issue ${id}` } });

/** Every matching request answered 200 with the same body, however the request moves on. */
function answerAlways(match: RegExp, body: unknown): void {
  fake.inject({ kind: 'reply', match, status: 200, body: JSON.stringify(body), times: Infinity });
}

describe('Jira paging that does not advance', () => {
  it('Cloud: a nextPageToken that comes back unchanged fails at the first repeat', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 5 }) }));
    answerAlways(/search\/jql$/, { issues: [issue(10000), issue(10001)], nextPageToken: 'CAEaAggD', isLast: false });
    const err = await failure(drain(connectorFor(fake)));
    expect(err.message).toBe('Jira Cloud search: the page token did not advance (it repeats an earlier page\'s)');
    expect(countRequests(fake, /search\/jql$/)).toBe(2);
  });

  it('Data Center: a search after `id > N` that returns the same issues again fails at once', async () => {
    fake = await started(new JiraFake({ flavor: 'dc', issues: generateIssues({ count: 5 }) }));
    answerAlways(/\/rest\/api\/2\/search$/, { startAt: 0, maxResults: 2, total: 5000, issues: [issue(10000), issue(10001)] });
    const err = await failure(drain(connectorFor(fake)));
    expect(err.message).toMatch(/^Jira Data Center search: the keyset cursor did not advance/);
    const jqls = fake.requests.map((r) => r.body?.jql);
    expect(jqls).toEqual(['project = "TEST" ORDER BY id ASC', 'project = "TEST" AND id > 10001 ORDER BY id ASC']);
  });

  it('Cloud: a search serving issues far beyond the approximate count of its scope fails', async () => {
    fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 1500 }) }));
    fake.inject({ kind: 'reply', match: /approximate-count$/, status: 200, body: '{"count":10}' });
    const err = await failure(drain(connectorFor(fake), { includeComments: false }));
    expect(err.message).toBe('Jira Cloud search: served 1100 records, far beyond its declared total of 10');
    expect(countRequests(fake, /search\/jql$/)).toBeLessThanOrEqual(12);
  });

  it.each(['cloud', 'dc'] as const)('%s: a comment thread whose pages never end fails after three pages with nothing new', async (flavor) => {
    fake = await started(new JiraFake({ flavor, issues: generateIssues({ count: 3, comments: (i) => (i === 1 ? 45 : 1) }) }));
    const comments = [1, 2, 3].map((id) => ({ id: String(id), body: 'same again', created: '2024-01-01T00:00:00.000+0000' }));
    answerAlways(/\/comment(\?|$)/, { startAt: 0, maxResults: 100, total: 1_000_000, comments });
    const err = await failure(drain(connectorFor(fake)));
    expect(err.message).toBe('Jira comments of issue 10001: 3 pages in a row brought no new record (the startAt offset does not advance)');
    // The first page, three stale ones and at most one prefetched: nowhere near the declared million.
    expect(countRequests(fake, /\/comment(\?|$)/)).toBeLessThanOrEqual(5);
    expect(fake.requests.filter((r) => r.path.endsWith('/comment')).map((r) => r.query.get('startAt')).slice(0, 4)).toEqual(['0', '3', '6', '9']);
  });
});
