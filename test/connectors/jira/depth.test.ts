/**
 * Depth of data (issue 12) through the Jira connector against the fake: the whole changelog of
 * issues past the 40 entries search embeds (bulk fetch on Cloud, GET issue on Data Center), typed
 * custom fields mapped by the module's defaults, attachments with their content, completeness
 * against Jira's own totals, a forced truncation and a failing changelog turned into `partial` with
 * a reason, and no history request at all without includeHistory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedItem } from '../../../src/connectors/connector.js';
import { jiraModule } from '../../../src/connectors/jira/index.js';
import { effectiveFieldMap, mapFields } from '../../../src/items/field-map.js';
import { JiraFake, type JiraFakeOptions } from '../../../src/sandbox/fakes/jira.js';
import { generateIssues, type FakeIssue, type GenerateOptions } from '../../../src/sandbox/fakes/jira-data.js';
import { attachmentBytes } from '../../../src/sandbox/fakes/jira-depth.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { connectorFor, drain } from './support.js';

let fake: JiraFake;
afterEach(async () => fake?.close());

async function start(gen: GenerateOptions, opts: Partial<JiraFakeOptions> = {}): Promise<JiraFake> {
  fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues(gen), ...opts }));
  return fake;
}

/** The fake's changelog as HistoryEntry values, oldest first: what a complete import must hold. */
function expectedHistory(issue: FakeIssue, flavor: 'cloud' | 'dc' = 'cloud') {
  return (issue.history ?? []).flatMap((h) => h.items.map((it) => ({
    at: new Date(h.createdMs).toISOString(),
    actor: flavor === 'cloud' ? h.author.accountId : h.author.key,
    field: it.field,
    from: it.fromString ?? it.from,
    to: it.toString ?? it.to,
  })));
}
const seen = (item: NormalizedItem) => (item.history ?? []).map((h) => ({ ...h, actor: h.actor?.external_id }));

async function importAll(opts: { includeHistory?: boolean; batchSize?: number } = {}) {
  const connector = connectorFor(fake);
  const { records } = await drain(connector, { includeHistory: opts.includeHistory ?? true, batchSize: opts.batchSize ?? 100 });
  return records.map((r) => connector.normalize(r));
}

const GEN: GenerateOptions = { count: 30, comments: (i) => (i % 10 === 0 ? 45 : i % 3), history: (i) => (i % 10 === 0 ? 150 : i % 4 === 1 ? 12 : 0), custom: true };

describe('Jira depth of data', () => {
  it('history past the embedded 40 entries is complete and equal to the fake\'s, in one bulk request a page', async () => {
    await start(GEN);
    const items = await importAll();
    expect(items).toHaveLength(30);
    for (const [i, item] of items.entries()) {
      const issue = fake.issues[i]!;
      expect(seen(item)).toEqual(expectedHistory(issue));
      expect(item.completeness).toEqual({
        comments: { state: 'complete', reason: null, fetched: issue.comments.length, total: issue.comments.length },
        history: { state: 'complete', reason: null, fetched: issue.history?.length ?? 0, total: issue.history?.length ?? 0 },
        attachments: { state: 'complete', reason: null, fetched: issue.attachments.length, total: issue.attachments.length },
      });
    }
    expect(items[0]!.history!.length).toBeGreaterThan(150); // some changes touch two fields
    expect(items[0]!.history![0]!.actor).toEqual({ external_id: '5b10a2844c20165700ede21g', name: 'Jane Smith', email: 'jane@example.com', email_verified: true });
    // 3 issues past 40 entries: one bulk request, no per-issue paging
    expect(countRequests(fake, /\/changelog\/bulkfetch$/)).toBe(1);
    expect(countRequests(fake, /\/issue\/\d+\/changelog/)).toBe(0);
    const bulk = fake.requests.find((r) => r.path.endsWith('/bulkfetch'))!;
    expect(bulk.body!.issueIdsOrKeys).toEqual(['10000', '10010', '10020']);
    expect(fake.requests.find((r) => r.path.endsWith('/search/jql'))!.body!.expand).toBe('names,schema,changelog');
  });

  it('bulk pages are followed by token; an issue the bulk read leaves short is paged from its changelog endpoint', async () => {
    await start(GEN, { bulkPage: 100 });
    fake.inject({ kind: 'reply', match: /\/changelog\/bulkfetch$/, status: 404, body: '{"errorMessages":["Not found"],"errors":{}}' });
    const items = await importAll();
    for (const [i, item] of items.entries()) expect(seen(item)).toEqual(expectedHistory(fake.issues[i]!));
    expect(items.every((i) => i.completeness!.history.state === 'complete')).toBe(true);
    expect(countRequests(fake, /\/issue\/\d+\/changelog/)).toBe(3 * 2); // 150 entries, 100 a page

    fake.requests.length = 0;
    await importAll();
    expect(countRequests(fake, /\/changelog\/bulkfetch$/)).toBe(5); // 450 entries, 100 a page
    expect(countRequests(fake, /\/issue\/\d+\/changelog/)).toBe(0);
  });

  it('a forced truncation gives partial history with a reason naming what is missing', async () => {
    await start(GEN);
    fake.changelogCap = 120; // both changelog endpoints stop at 120 of 150 entries
    const items = await importAll();
    const long = items.filter((i) => fake.issue(i.external_id)!.history?.length === 150);
    expect(long).toHaveLength(3);
    for (const item of long) {
      expect(item.completeness!.history).toEqual({
        state: 'partial', fetched: 120, total: 150,
        reason: 'Jira changelog has 150 entries, 120 read: Jira answered 120 changelog entries of 150',
      });
    }
    expect(items.filter((i) => i.completeness!.history.state === 'partial')).toHaveLength(3);
  });

  it('a changelog endpoint that keeps failing gives partial with the embedded entries, not a failed import', async () => {
    await start(GEN);
    fake.inject({ kind: 'reply', match: /changelog/, status: 404, body: '{"errorMessages":["Issue does not exist"],"errors":{}}', times: 100 });
    const items = await importAll();
    const item = items.find((i) => i.key === 'TEST-1')!;
    expect(item.completeness!.history).toMatchObject({ state: 'partial', fetched: 40, total: 150 });
    expect(item.completeness!.history.reason).toMatch(/^Jira changelog has 150 entries, 40 read: changelog paging failed: /);
    // the 40 kept are the newest, oldest first
    expect(seen(item)).toEqual(expectedHistory(fake.issues[0]!).slice(-seen(item).length));
    expect(items.find((i) => i.key === 'TEST-2')!.completeness!.history.state).toBe('complete');
  });

  it('without includeHistory: no changelog asked for, history skipped, fewer requests', async () => {
    await start(GEN);
    const items = await importAll({ includeHistory: false });
    const without = fake.requests.length;
    expect(items.every((i) => i.history!.length === 0 && i.completeness!.history.state === 'skipped')).toBe(true);
    expect(items[0]!.completeness!.history.reason).toBe('include_history is false');
    expect(countRequests(fake, /changelog/)).toBe(0);
    expect(fake.requests.find((r) => r.path.endsWith('/search/jql'))!.body!.expand).toBe('names,schema');
    fake.requests.length = 0;
    await importAll();
    expect(fake.requests.length).toBe(without + 1);
  });

  it('custom fields are typed and named; the module\'s default map fills story points, due date and sprint', async () => {
    await start(GEN);
    const [first, second] = await importAll();
    const byName = new Map(first!.custom_fields!.map((f) => [f.name, f]));
    expect(byName.get('Story Points')).toEqual({ id: 'customfield_10026', name: 'Story Points', type: 'number', value: 0.5 });
    expect(byName.get('Due date')).toEqual({ id: 'duedate', name: 'Due date', type: 'date', value: '2024-01-15' });
    expect(byName.get('Severity')).toMatchObject({ type: 'option', value: 'Critical' });
    expect(byName.get('Affected areas')).toMatchObject({ type: 'options', value: ['API', 'Ünïcode UI'] });
    expect(byName.get('Reviewers')!.type).toBe('users');
    expect((byName.get('Reviewers')!.value as { external_id: string }[]).map((p) => p.external_id)).toEqual(['5b10a2844c20165700ede21g', '5b10ac8d82e05b22cc7d4ef5']);
    expect(byName.get('Deployed at')).toMatchObject({ type: 'datetime', value: '2024-01-02T00:00:00.000Z' });
    expect(byName.get('Release notes')).toMatchObject({ type: 'text', value: '**Notes for issue 1**' });
    expect(byName.get('Sprint')).toMatchObject({ type: 'sprint', value: [{ id: 1, name: 'Sprint 1', state: 'closed' }, { id: 2, name: 'Sprint 2', state: 'active' }] });
    expect(byName.has('Story point estimate')).toBe(false); // null values are left out
    const map = effectiveFieldMap(undefined, jiraModule.defaultFieldMap)!;
    expect(mapFields(first!.custom_fields!, map)).toEqual({ story_points: 0.5, due_date: '2024-01-15', sprint: 'Sprint 2', severity: null });
    expect(mapFields(second!.custom_fields!, { ...map, severity: 'customfield_10030' })).toMatchObject({ story_points: 1.5, sprint: 'Sprint 3', severity: null });
    expect(mapFields(first!.custom_fields!, { ...map, severity: 'severity' }).severity).toBe('Critical');
  });

  it('attachments: metadata, and content through the redirect to the media service without credentials', async () => {
    await start({ count: 7 });
    fake.issues[0]!.attachments.push({ id: 30100, filename: 'log (1).txt', size: 70_000, mimeType: 'text/plain' });
    const connector = connectorFor(fake);
    const { records } = await drain(connector);
    const [item] = records.map((r) => connector.normalize(r));
    expect(item!.attachments).toEqual([
      { external_id: '30000', name: 'screenshot-1.png', size: 1024, media_type: 'image/png', author: expect.objectContaining({ external_id: '5b10ac8d82e05b22cc7d4ef5' }), created_at: '2024-01-01T00:00:00.000Z', source_url: `${fake.baseUrl}/rest/api/3/attachment/content/30000`, content: null },
      expect.objectContaining({ external_id: '30100', name: 'log (1).txt', size: 70_000, media_type: 'text/plain' }),
    ]);
    const signal = new AbortController().signal;
    const got = await connector.attachmentContent!(item!.attachments![1]!, { signal, maxBytes: 1_000_000 });
    expect(got.media_type).toBe('text/plain');
    expect(got.bytes.equals(attachmentBytes(30100, 70_000))).toBe(true);
    expect(fake.requests.filter((r) => r.path.startsWith('/file/')).map((r) => r.status)).toEqual([200]);
    expect(fake.mediaRequestsWithCredentials).toBe(0);
    await expect(connector.attachmentContent!(item!.attachments![1]!, { signal, maxBytes: 1000 })).rejects.toThrow(/over 1000 bytes/);
    await expect(connector.attachmentContent!({ ...item!.attachments![0]!, source_url: 'https://elsewhere.example/x' }, { signal, maxBytes: 1000 }))
      .rejects.toThrow(/no content URL on/);
  });

  it('Data Center: history past 100 embedded entries read from GET issue, sprints parsed, attachment content served directly', async () => {
    fake = await started(new JiraFake({ flavor: 'dc', issues: generateIssues({ ...GEN, count: 12 }) }));
    const items = await importAll({ batchSize: 50 });
    for (const [i, item] of items.entries()) {
      expect(seen(item)).toEqual(expectedHistory(fake.issues[i]!, 'dc'));
      expect(item.completeness!.history.state).toBe('complete');
    }
    expect(fake.requests.filter((r) => /^\/rest\/api\/2\/issue\/\d+$/.test(r.path)).map((r) => r.path)).toEqual(['/rest/api/2/issue/10000', '/rest/api/2/issue/10010']);
    expect(items[0]!.history![0]!.actor).toMatchObject({ external_id: 'JIRAUSER10100', email_verified: false });
    expect(items[0]!.custom_fields!.find((f) => f.name === 'Sprint')!.value).toEqual([{ id: 1, name: 'Sprint 1', state: 'closed' }, { id: 2, name: 'Sprint 2', state: 'active' }]);
    expect(items[0]!.custom_fields!.find((f) => f.name === 'Release notes')!.value).toBe('**Notes for issue 1**');
    const att = items[0]!.attachments![0]!;
    expect(att.source_url).toBe(`${fake.baseUrl}/secure/attachment/30000/screenshot-1.png`);
    const got = await connectorFor(fake).attachmentContent!(att, { signal: new AbortController().signal, maxBytes: 10_000 });
    expect(got.bytes.equals(attachmentBytes(30000, 1024))).toBe(true);
  });

  it('Data Center budget, 500 issues: history costs one GET per issue past 100 entries, nothing else', async () => {
    fake = await started(new JiraFake({ flavor: 'dc', issues: generateIssues({ count: 500, comments: (i) => (i % 50 === 0 ? 45 : i % 4), history: (i) => (i % 25 === 0 ? 150 : i % 7) }) }));
    await importAll({ includeHistory: false });
    const plain = fake.requests.length;
    fake.requests.length = 0;
    const items = await importAll();
    expect(items.every((i) => i.completeness!.history.state === 'complete')).toBe(true);
    expect(fake.requests.length).toBe(plain + 20);
    console.log(`Jira Data Center, 500 issues (connector only): ${plain} requests without history (${(plain / 500).toFixed(3)}/item), ${plain + 20} with (${((plain + 20) / 500).toFixed(3)}/item)`);
  });

  it('fetchOne with history reads the whole changelog of a webhook\'s issue', async () => {
    await start(GEN);
    const connector = connectorFor(fake);
    const found = await connector.fetchOne!('TEST-11', { signal: new AbortController().signal, includeHistory: true });
    expect(found.kind).toBe('found');
    const item = connector.normalize((found as { record: unknown }).record);
    expect(seen(item)).toEqual(expectedHistory(fake.issue('TEST-11')!));
    expect(item.completeness!.history.state).toBe('complete');
    expect(item.custom_fields!.map((f) => f.name)).toContain('Story Points');
    const plain = connector.normalize(((await connector.fetchOne!('TEST-11', { signal: new AbortController().signal })) as { record: unknown }).record);
    expect(plain.completeness!.history.state).toBe('skipped');
  });
});
