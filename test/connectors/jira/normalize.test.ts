/** normalize, config rules, JQL building and the rate-limit / error hooks, table-driven. */
import { describe, expect, it } from 'vitest';
import { describeJira, validateJiraConfig, type JiraConfig } from '../../../src/connectors/jira/config.js';
import { splitOrderBy } from '../../../src/connectors/jira/jql.js';
import { jiraTime, normalizeIssue } from '../../../src/connectors/jira/normalize.js';
import { classify, rateLimit } from '../../../src/connectors/jira/signals.js';
import { generateIssues, issueFields } from '../../../src/sandbox/fakes/jira-data.js';

const ctx = { baseUrl: 'https://acme.atlassian.net', project: 'TEST' };
const res = (status: number, headers: Record<string, string> = {}, body = ''): Parameters<typeof rateLimit>[0] => ({ status, headers, body, url: 'https://x/' });

describe('jiraTime', () => {
  it.each([
    ['2021-01-17T12:34:00.000+0000', '2021-01-17T12:34:00.000Z'],
    ['2021-01-17T14:34:00.000+0200', '2021-01-17T12:34:00.000Z'],
    ['2021-01-17T07:04:00.000-0530', '2021-01-17T12:34:00.000Z'],
    ['2021-01-17T12:34:00+00:00', '2021-01-17T12:34:00.000Z'],
    ['2021-01-17', '2021-01-17T00:00:00.000Z'],
    ['not a date', null],
    [1, null],
    [null, null],
  ])('%j → %j', (input, expected) => expect(jiraTime(input)).toBe(expected));
});

describe('normalizeIssue', () => {
  const [issue] = generateIssues({ count: 1, comments: () => 9 });
  const raw = { id: '10000', key: 'TEST-1', fields: issueFields(issue!, 'cloud', 'https://acme.atlassian.net', 20) };

  it('maps the Cloud fields of CONTRACT §4', () => {
    const item = normalizeIssue(raw, ctx);
    expect(item).toMatchObject({
      external_id: '10000', key: 'TEST-1', project: 'TEST', title: 'Issue 1', status: 'To Do', status_category: 'todo',
      priority: 'Medium', item_type: 'Task', labels: ['backend'], url: 'https://acme.atlassian.net/browse/TEST-1',
      parent_external_id: null, created_at: '2024-01-01T00:00:00.000Z', updated_at: '2024-01-01T01:00:00.000Z', closed_at: null,
    });
    expect(item.description).toBe('## Details\n\n**Description of issue 1**\n\n- first point\n- second point');
    expect(item.comments).toHaveLength(9);
    expect(item.comments[0]).toEqual({
      external_id: String(issue!.comments[0]!.id), author: { external_id: '5b10a2844c20165700ede21g', name: 'Jane Smith', email: 'jane@example.com', email_verified: true },
      body: 'Comment 1 on TEST-1', created_at: '2024-01-01T00:00:01.000Z', internal: false,
    });
    expect(item.comments[8]!.internal).toBe(true); // visibility: role Administrators
    expect(item.raw).toBe(raw);
  });

  it.each([
    ['indeterminate', 'in_progress'], ['done', 'done'], ['new', 'todo'], ['undefined', 'todo'],
  ])('status category %s → %s', (key, expected) => {
    const item = normalizeIssue({ id: '1', key: 'A-1', fields: { status: { name: 'X', statusCategory: { key } } } }, ctx);
    expect(item.status_category).toBe(expected);
  });

  it('reads resolution date, parent, JSM internal notes and resolves media to attachments', () => {
    const item = normalizeIssue({ id: '7', key: 'A-7', fields: {
      resolutiondate: '2024-02-01T10:00:00.000+0100', parent: { id: '5', key: 'A-5' },
      attachment: [{ id: 10001, filename: 'moon.jpeg', content: 'https://acme.atlassian.net/rest/api/3/attachment/content/10001' }],
      description: { type: 'doc', version: 1, content: [{ type: 'mediaSingle', content: [{ type: 'media', attrs: { id: 'uuid', type: 'file', collection: '', alt: 'moon.jpeg' } }] }] },
      comment: { comments: [{ id: '1', body: 'wiki *text*', jsdPublic: false }], total: 1 },
    } }, { ...ctx, project: null });
    expect(item.closed_at).toBe('2024-02-01T09:00:00.000Z');
    expect(item.parent_external_id).toBe('5');
    expect(item.project).toBe('');
    expect(item.description).toBe('[📎 moon.jpeg](https://acme.atlassian.net/rest/api/3/attachment/content/10001)');
    expect(item.comments[0]).toMatchObject({ body: 'wiki **text**', internal: true, author: null, created_at: null });
  });

  it.each([[{}], [{ id: '1' }], [{ id: '1', key: 'A-1' }], [null]])('refuses a record without id, key or fields: %j', (raw) => {
    expect(() => normalizeIssue(raw, ctx)).toThrow();
  });
});

describe('validateJiraConfig', () => {
  const base = { base_url: 'https://acme.atlassian.net' };
  it.each<[string, Partial<JiraConfig>, string[]]>([
    ['cloud + project', { email: 'a@b.c', api_token: 't', project_key: 'TEST' }, []],
    ['dc + jql', { personal_access_token: 'p', jql: 'project = X' }, []],
    ['no credentials', { project_key: 'TEST' }, ['/api_token']],
    ['both credential kinds', { email: 'a@b.c', api_token: 't', personal_access_token: 'p', project_key: 'T' }, ['/personal_access_token']],
    ['email without token', { email: 'a@b.c', project_key: 'T' }, ['/api_token']],
    ['token without email', { api_token: 't', project_key: 'T' }, ['/email']],
    ['no scope', { personal_access_token: 'p' }, ['/project_key']],
    ['both scopes', { personal_access_token: 'p', project_key: 'T', jql: 'project = T' }, ['/jql']],
    ['unbounded jql', { personal_access_token: 'p', jql: 'ORDER BY created DESC' }, ['/jql']],
  ])('%s', (_name, config, paths) => {
    expect(validateJiraConfig({ ...base, ...config } as JiraConfig).map((e) => e.path)).toEqual(paths);
  });

  it('describes scope as project_key or the jql text', () => {
    expect(describeJira({ ...base, base_url: 'https://h/jira/', project_key: 'TEST' })).toEqual({ base_url: 'https://h/jira', scope: 'TEST', project: 'TEST' });
    expect(describeJira({ ...base, jql: ' labels = x ' })).toEqual({ base_url: base.base_url, scope: 'labels = x', project: '' });
  });
});

describe('splitOrderBy', () => {
  it.each([
    ['project = A ORDER BY created DESC', 'project = A', 'ORDER BY created DESC'],
    ['summary ~ "order by" AND project = A', 'summary ~ "order by" AND project = A', null],
    ["summary ~ 'x \\' order by y'", "summary ~ 'x \\' order by y'", null],
    ['(a = 1)order by id', '(a = 1)', 'order by id'],
    ['reorder by = 1', 'reorder by = 1', null],
  ])('%s', (jql, where, orderBy) => expect(splitOrderBy(jql)).toEqual({ where, orderBy }));
});

describe('rate-limit and error hooks', () => {
  const now = Date.UTC(2024, 0, 1, 9, 0);
  it.each([
    ['429 Retry-After seconds', res(429, { 'retry-after': '30' }), { limited: true, pauseUntil: now + 30_000 }],
    ['429 X-RateLimit-Reset ISO minute', res(429, { 'x-ratelimit-reset': '2024-01-01T10:00Z' }), { limited: true, pauseUntil: Date.UTC(2024, 0, 1, 10, 0) }],
    ['429 without hints', res(429), { limited: true }],
    ['503 with Retry-After', res(503, { 'retry-after': '5' }), { limited: true, pauseUntil: now + 5000 }],
    ['bare 503 is an outage', res(503), null],
    ['budget on a 200', res(200, { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '2024-01-01T09:01Z' }), { limited: false, remaining: 12, resetAt: Date.UTC(2024, 0, 1, 9, 1) }],
    ['plain 200', res(200), null],
  ])('%s', (_name, r, expected) => expect(rateLimit(r, now)).toEqual(expected));

  it.each([
    ['unknown project', 400, '{"errorMessages":["The value \'XYZ\' does not exist for the field \'project\'."],"errors":{}}', 'SOURCE_NOT_FOUND'],
    ['bad JQL', 400, '{"errorMessages":["Error in the JQL Query: Expecting operator."],"errors":{}}', 'SOURCE_RESPONSE_INVALID'],
    ['401 keeps the default mapping', 401, '{"errorMessages":["Client must be authenticated"],"errors":{}}', null],
    ['500 keeps the default mapping (retried)', 500, '', null],
  ])('%s', (_name, status, body, code) => expect(classify(res(status, {}, body))?.code ?? null).toBe(code));
});
