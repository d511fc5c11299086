/**
 * connector.fetchOne for GitLab and Jira against a few canned single-item answers (their fakes have
 * list endpoints only): found with all comments, gone on a 404 while the container reads, out of
 * scope, and a failing container is the source's error, not a deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { gitlabModule } from '../../src/connectors/gitlab/index.js';
import { jiraModule } from '../../src/connectors/jira/index.js';
import type { ConnectorModule } from '../../src/connectors/connector.js';
import { createSourceHttpFactory } from '../../src/outbound/http.js';
import { TEST_POLICY } from '../support/policy.js';

type Reply = [status: number, body: unknown];
let routes: Record<string, () => Reply> = {};
const seen: string[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push(`${req.method} ${url.pathname}`);
    const [status, body] = routes[`${req.method} ${url.pathname}`]?.() ?? [404, { message: 'Not Found' }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function connector(module: ConnectorModule, config: Record<string, unknown>) {
  const http = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
  return module.create({ base_url: base, ...config }, { http, logger: pino({ level: 'silent' }), policy: TEST_POLICY.sources });
}
const signal = () => AbortSignal.timeout(20_000);
const user = { id: 1, username: 'ada', name: 'Ada' };

describe('GitLab fetchOne', () => {
  const project = '/api/v4/projects/group%2Fapp';
  const issue = { id: 700, iid: 7, title: 'Seven', description: 'd', state: 'opened', labels: [], author: user, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-02T00:00:00Z', closed_at: null, user_notes_count: 2, web_url: 'https://gitlab.example/group/app/-/issues/7' };
  const notes = [
    { id: 1, body: 'first note', author: user, created_at: '2024-01-01T01:00:00Z', system: false },
    { id: 2, body: 'changed the description', author: user, created_at: '2024-01-01T02:00:00Z', system: true },
  ];

  it('reads the issue and its notes: two requests, comments without system notes', async () => {
    routes = { [`GET ${project}/issues/7`]: () => [200, issue], [`GET ${project}/issues/7/notes`]: () => [200, notes] };
    seen.length = 0;
    const c = connector(gitlabModule, { token: 'glpat-x', project_id: 'group/app' });
    const read = await c.fetchOne!('7', { signal: signal() });
    expect(read.kind).toBe('found');
    const item = c.normalize((read as { record: unknown }).record);
    expect(item).toMatchObject({ external_id: '700', key: '#7', title: 'Seven' });
    expect(item.comments.map((x) => x.body)).toEqual(['first note']);
    expect(seen).toHaveLength(2);
  });

  it('a 404 with the project readable is gone; with the project unreadable it is the source\'s error', async () => {
    routes = { [`GET ${project}`]: () => [200, { id: 4242 }] };
    const c = connector(gitlabModule, { token: 'glpat-x', project_id: 'group/app' });
    expect(await c.fetchOne!('8', { signal: signal() })).toEqual({ kind: 'gone' });
    routes = {};
    await expect(c.fetchOne!('8', { signal: signal() })).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('a closed issue is out of scope of an `opened` sync; a reference that is not an iid is refused', async () => {
    routes = { [`GET ${project}/issues/7`]: () => [200, { ...issue, state: 'closed' }] };
    const c = connector(gitlabModule, { token: 'glpat-x', project_id: 'group/app', state: 'opened' });
    expect((await c.fetchOne!('7', { signal: signal() })).kind).toBe('out-of-scope');
    await expect(c.fetchOne!('7/../../x', { signal: signal() })).rejects.toThrow(/iid/);
  });
});

describe('Jira fetchOne', () => {
  const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
  const comment = (id: string) => ({ id, body: adf(`comment ${id}`), author: { accountId: 'a1', displayName: 'Ada' }, created: '2024-01-01T00:00:00.000+0000' });
  const issue = (project: string) => ({
    id: '10001', key: `${project}-1`,
    fields: {
      summary: 'One', description: adf('desc'), project: { key: project }, status: { name: 'To Do', statusCategory: { key: 'new' } },
      issuetype: { name: 'Task' }, labels: [], created: '2024-01-01T00:00:00.000+0000', updated: '2024-01-02T00:00:00.000+0000',
      comment: { comments: [comment('1')], total: 2, maxResults: 1, startAt: 0 },
    },
  });
  const config = { email: 'bot@example.com', api_token: 'tok', project_key: 'TEST' };

  it('reads the issue with its fields and pages the rest of its comments', async () => {
    routes = {
      'GET /rest/api/3/issue/10001': () => [200, issue('TEST')],
      'GET /rest/api/3/issue/10001/comment': () => [200, { comments: [comment('1'), comment('2')], total: 2, startAt: 0, maxResults: 100 }],
    };
    seen.length = 0;
    const c = connector(jiraModule, config);
    const read = await c.fetchOne!('10001', { signal: signal() });
    expect(read.kind).toBe('found');
    const item = c.normalize((read as { record: unknown }).record);
    expect(item).toMatchObject({ external_id: '10001', key: 'TEST-1', title: 'One' });
    expect(item.comments.map((x) => x.body)).toEqual(['comment 1', 'comment 2']);
    expect(seen).toEqual(['GET /rest/api/3/issue/10001', 'GET /rest/api/3/issue/10001/comment']);
  });

  it('another project is out of scope; a 404 with the scope readable is gone', async () => {
    routes = { 'GET /rest/api/3/issue/10001': () => [200, issue('OTHER')] };
    const c = connector(jiraModule, config);
    expect((await c.fetchOne!('10001', { signal: signal() })).kind).toBe('out-of-scope');
    routes = { 'POST /rest/api/3/search/approximate-count': () => [200, { count: 3 }] };
    expect(await c.fetchOne!('10002', { signal: signal() })).toEqual({ kind: 'gone' });
  });

  it('a JQL sync asks the search whether the issue matches', async () => {
    let asked = '';
    routes = {
      'GET /rest/api/3/issue/10001': () => [200, issue('TEST')],
      'GET /rest/api/3/issue/10001/comment': () => [200, { comments: [comment('1'), comment('2')], total: 2, startAt: 0, maxResults: 100 }],
      'POST /rest/api/3/search/approximate-count': () => [200, { count: asked === '' ? ((asked = 'yes'), 0) : 1 }],
    };
    const c = connector(jiraModule, { email: 'bot@example.com', api_token: 'tok', jql: 'labels = sync' });
    expect((await c.fetchOne!('10001', { signal: signal() })).kind).toBe('out-of-scope');
    expect((await c.fetchOne!('10001', { signal: signal() })).kind).toBe('found');
  });
});
