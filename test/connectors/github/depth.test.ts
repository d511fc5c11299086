/**
 * Depth of data (issue 12) for GitHub against the fake: history from issue events (the repository-wide
 * feed in bulk, per issue where it cannot cover), uploads from bodies and comments, issue type and
 * milestone as custom fields, completeness per item; what each costs in requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedItem } from '../../../src/connectors/connector.js';
import type { Json } from '../../../src/sandbox/fakes/github-data.js';
import type { GithubFake } from '../../../src/sandbox/fakes/github.js';
import { closeFakes, connectorFor, drain, startFake } from './helpers.js';

afterEach(closeFakes);

const numberOf = (item: NormalizedItem) => Number(item.key.slice(1));
const perIssueEvents = (fake: GithubFake) => fake.requests.map((r) => /\/issues\/(\d+)\/events/.exec(r.target)?.[1]).filter((n) => n !== undefined).map(Number);
const feedRequests = (fake: GithubFake) => fake.requests.filter((r) => /\/issues\/events(\?|$)/.test(r.target));

/** The fake's events of issue n as history, read straight from its data (field changes only). */
function expectedHistory(fake: GithubFake, n: number) {
  const fields: Record<string, (e: Json) => [string, unknown, unknown]> = {
    closed: (e) => ['status', 'open', e['state_reason'] && !['completed', 'reopened'].includes(e['state_reason'] as string) ? `closed (${String(e['state_reason'])})` : 'closed'],
    reopened: () => ['status', 'closed', 'open'],
    labeled: (e) => ['labels', null, (e['label'] as Json)['name']],
    unlabeled: (e) => ['labels', (e['label'] as Json)['name'], null],
    assigned: (e) => ['assignee', null, (e['assignee'] as Json)['login']],
    milestoned: (e) => ['milestone', null, (e['milestone'] as Json)['title']],
    renamed: (e) => ['title', (e['rename'] as Json)['from'], (e['rename'] as Json)['to']],
  };
  return fake.data.eventsOf(n).filter((e) => fields[e['event'] as string]).map((e) => {
    const [field, from, to] = fields[e['event'] as string]!(e);
    return { at: new Date(e['created_at'] as string).toISOString(), actor: String((e['actor'] as Json)['id']), field, from, to };
  });
}

const historyOf = (item: NormalizedItem) => (item.history ?? []).map((h) => ({ at: h.at, actor: h.actor?.external_id, field: h.field, from: h.from, to: h.to }));

/** Upload paths the fake wrote into issue n's body and comments, and their names. */
function expectedUploads(fake: GithubFake, n: number) {
  const body = fake.data.bodyUploads(n);
  const inComments = fake.data.commentsOf(n).length > 1 && n % 4 === 2 ? [fake.data.upload(n, 7, 'image')] : [];
  return [...body, ...inComments].map((u) => ({ name: u.name, path: u.path }));
}

describe('GitHub depth of data', () => {
  it('an import carries history, uploads and custom fields equal to the fake\'s, every part complete, from the bulk feed', async () => {
    const fake = await startFake({ issues: 120 });
    const { items } = await drain(connectorFor(fake), { includeHistory: true });
    expect(items).toHaveLength(80);
    expect(feedRequests(fake).length).toBeGreaterThan(1);
    expect(perIssueEvents(fake)).toEqual([]); // the feed reached its end: every issue covered
    let histories = 0;
    let uploads = 0;
    for (const item of items) {
      const n = numberOf(item);
      expect(historyOf(item), `#${n}`).toEqual(expectedHistory(fake, n));
      histories += item.history!.length;
      const want = expectedUploads(fake, n);
      expect(item.attachments!.map((a) => ({ name: a.name, path: new URL(a.source_url!).pathname })), `#${n}`).toEqual(want);
      uploads += want.length;
      for (const a of item.attachments!) {
        expect(a).toMatchObject({ size: null, media_type: null, content: null });
        expect(a.source_url).not.toMatch(/[?#]/);
      }
      expect(item.completeness, `#${n}`).toEqual({
        comments: { state: 'complete', reason: null, fetched: fake.data.commentsOf(n).length, total: fake.data.commentsOf(n).length },
        history: { state: 'complete', reason: null, fetched: item.history!.length, total: null },
        attachments: { state: 'complete', reason: null, fetched: want.length, total: null },
      });
      const issue = fake.data.byNumber(n)!;
      const milestone = issue['milestone'] as Json | null;
      const type = (issue['type'] as Json | null)?.['name'];
      expect(item.custom_fields).toEqual([
        ...(type ? [{ id: 'type', name: 'Issue type', type: 'option', value: type }] : []),
        ...(milestone ? [{ id: 'milestone', name: 'Milestone', type: 'option', value: milestone['title'] }] : []),
        ...(milestone?.['due_on'] ? [{ id: 'milestone_due_on', name: 'Milestone due date', type: 'datetime', value: new Date(milestone['due_on'] as string).toISOString() }] : []),
      ]);
    }
    // every kind is there: status, labels (added and removed), assignee, milestone, title; the four upload forms
    const fieldsSeen = new Set(items.flatMap((i) => i.history!.map((h) => `${h.field}:${h.from === null ? 'add' : 'change'}`)));
    expect([...fieldsSeen].sort()).toEqual(['assignee:add', 'labels:add', 'labels:change', 'milestone:add', 'status:change', 'title:change']);
    expect(histories).toBeGreaterThan(150);
    expect(uploads).toBeGreaterThan(30);
    expect(items.flatMap((i) => i.attachments!).some((a) => a.source_url!.startsWith('https://user-images.githubusercontent.com/'))).toBe(true);
    // people: an address GitHub shows on the user object is a public, verified one; none else is claimed
    const people = items.flatMap((i) => [i.assignee, i.reporter, ...i.comments.map((c) => c.author), ...i.history!.map((h) => h.actor)]).filter((p) => p !== null);
    expect(people.filter((p) => p.email_verified).map((p) => p.email)).toContain('monalisa@example.com');
    expect(people.every((p) => (p.email === null) === !p.email_verified)).toBe(true);
  });

  it('a capped feed covers the issues newer than its oldest event, the rest are read per issue; a history longer than GitHub serves is partial, saying why', async () => {
    // #5 has ~300 events; GitHub serves 2 pages of either events list here
    const fake = await startFake({ issues: 40, eventPagesCap: 2, extraEventsFor: (n) => (n === 5 ? 150 : 0) });
    const { items } = await drain(connectorFor(fake), { includeHistory: true });
    const feed = feedRequests(fake);
    expect(feed.map((r) => r.status)).toEqual([200, 200, 422]); // two pages, then the look past GitHub's last one
    const perIssue = new Set(perIssueEvents(fake));
    expect(perIssue.size).toBeGreaterThan(0);
    expect(perIssue.size).toBeLessThan(items.length); // the newer ones came from the feed
    const five = items.find((i) => i.key === '#5')!;
    expect(five.completeness!.history).toMatchObject({ state: 'partial', fetched: 200 });
    expect(five.completeness!.history.reason).toMatch(/200 events read: GitHub limits paging of the issue's events \(422 past page 2\)/);
    expect(historyOf(five)).toEqual(expectedHistory(fake, 5).slice(0, 200));
    for (const item of items.filter((i) => i.key !== '#5')) {
      expect(item.completeness!.history.state, item.key).toBe('complete');
      expect(historyOf(item), item.key).toEqual(expectedHistory(fake, numberOf(item)));
    }
  });

  it('without history no events request is sent and history is skipped; comments short of the issue\'s count are partial, and so are its uploads', async () => {
    const fake = await startFake({ issues: 30 });
    fake.data.byNumber(4)!['comments'] = fake.data.commentsOf(4).length + 1; // one comment GitHub counts but does not list
    const { items } = await drain(connectorFor(fake));
    expect(fake.requests.filter((r) => r.target.includes('/events'))).toEqual([]);
    for (const item of items) {
      expect(item.history).toBeUndefined();
      expect(item.completeness!.history).toEqual({ state: 'skipped', reason: 'include_history is false', fetched: 0, total: null });
    }
    const four = items.find((i) => i.key === '#4')!;
    expect(four.completeness!.comments).toEqual({ state: 'partial', reason: '4 of 5 fetched', fetched: 4, total: 5 });
    expect(four.completeness!.attachments).toMatchObject({ state: 'partial', reason: 'comments incomplete (4 of 5 fetched): uploads in the missing comments are not listed' });
    const noComments = await drain(connectorFor(fake), { includeComments: false });
    expect(noComments.items[0]!.completeness!.comments.state).toBe('skipped');
    expect(noComments.items[0]!.completeness!.attachments).toMatchObject({ state: 'partial', reason: expect.stringMatching(/include_comments is false/) });
  });

  it('an upload\'s content is read on the web host with the token, and the redirect to the signed URL on another host carries no credential', async () => {
    const fake = await startFake({ issues: 12, private: true });
    const connector = connectorFor(fake);
    const { items } = await drain(connector);
    const atts = items.flatMap((i) => i.attachments!).filter((a) => a.source_url!.startsWith(fake.origin));
    expect(atts.map((a) => new URL(a.source_url!).pathname.split('/')[1])).toEqual(expect.arrayContaining(['user-attachments', fake.data.o.owner]));
    fake.requests.length = 0;
    for (const att of atts) {
      const got = await connector.attachmentContent(att, { signal: new AbortController().signal, maxBytes: 1 << 20 });
      const want = fake.data.uploadContent(new URL(att.source_url!).pathname)!;
      expect(got).toEqual({ bytes: want.bytes, media_type: want.mediaType });
    }
    expect(fake.requests).toHaveLength(atts.length);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${fake.token}` && r.status === 302)).toBe(true);
    expect(fake.assetRequests).toHaveLength(atts.length);
    for (const r of fake.assetRequests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toContain(fake.token);
    }
    // too big: refused by the layer, not held
    await expect(connector.attachmentContent(atts[0]!, { signal: new AbortController().signal, maxBytes: 10 })).rejects.toMatchObject({ code: 'SOURCE_RESPONSE_INVALID' });
    // a URL this source does not list as an upload is not read
    await expect(connector.attachmentContent({ ...atts[0]!, source_url: `${fake.baseUrl}/repos/x/y/issues` }, { signal: new AbortController().signal, maxBytes: 1 << 20 })).rejects.toMatchObject({ code: 'SOURCE_RESPONSE_INVALID' });
  });

  it('fetchOne reads the issue\'s events when history is asked for, and none otherwise', async () => {
    const fake = await startFake({ issues: 12 });
    const connector = connectorFor(fake);
    const withHistory = await connector.fetchOne('5', { signal: new AbortController().signal, includeHistory: true });
    expect(withHistory.kind).toBe('found');
    const item = connector.normalize((withHistory as { record: unknown }).record);
    expect(historyOf(item)).toEqual(expectedHistory(fake, 5));
    expect(item.completeness!.history.state).toBe('complete');
    expect(perIssueEvents(fake)).toEqual([5]);
    fake.requests.length = 0;
    const without = await connector.fetchOne('5', { signal: new AbortController().signal });
    expect(connector.normalize((without as { record: unknown }).record).completeness!.history.state).toBe('skipped');
    expect(perIssueEvents(fake)).toEqual([]);
  });

  it('requests per item for 2,500 issues, with and without history (BENCHMARKS.md)', async () => {
    const fake = await startFake({ issues: 2500, prEvery: 0, rateLimit: { limit: 100_000, windowMs: 3_600_000 } }); // three runs: over 5,000 requests
    const count = async (includeHistory: boolean, historyBulkPages = 100) => {
      fake.requests.length = 0;
      const { items } = await drain(connectorFor(fake, {}, { historyBulkPages }), { includeHistory });
      expect(items).toHaveLength(2500);
      expect(items.every((i) => i.completeness!.history.state === (includeHistory ? 'complete' : 'skipped'))).toBe(true);
      return fake.requests.length;
    };
    const without = await count(false);
    const withHistory = await count(true);
    // a feed over the held cap (as on a repository with more than 10,000 events): the newest 1,000 events in bulk, older issues one request each
    const capped = await count(true, 10);
    const events = fake.data.events.length;
    const per = (n: number) => (n / 2500).toFixed(3);
    console.log(`GitHub 2,500 issues, ${fake.data.comments.length} comments, ${events} events: ${without} requests without history (${per(without)}/item), ${withHistory} with (${per(withHistory)}/item), ${capped} with the feed capped at 10 pages (${per(capped)}/item)`);
    // history costs the feed's pages (100 events each) plus at most one look past its end
    expect(withHistory - without).toBeLessThanOrEqual(Math.ceil(events / 100) + 1);
    // capped: 10 pages, one look past them at most, and no more than one request per issue
    expect(capped - without).toBeLessThanOrEqual(10 + 1 + 2500);
    expect(capped - without).toBeGreaterThan(1000);
  }, 120_000);
});
