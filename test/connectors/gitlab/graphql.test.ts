/**
 * GitLab over GraphQL (issues with their notes in bulk) against the fake: requests per item,
 * the same normalized items as the REST path, fallback to REST, notes past the inline page,
 * resume from a checkpoint (also onto a server that has stopped answering GraphQL), complexity.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { gitlabModule } from '../../../src/connectors/gitlab/index.js';
import type { NormalizedItem } from '../../../src/connectors/connector.js';
import { createSourceHttpFactory } from '../../../src/outbound/http.js';
import { GitLabFake, type GitLabFakeOptions } from '../../../src/sandbox/fakes/gitlab.js';
import type { SeedOptions } from '../../../src/sandbox/fakes/gitlab-data.js';
import { started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { TEST_POLICY } from '../../support/policy.js';
import { collect, connectorFor } from './helpers.js';

const fakes: GitLabFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function seeded(n: number, seed: SeedOptions = {}, opts: GitLabFakeOptions = {}): Promise<GitLabFake> {
  const fake = await started(new GitLabFake(opts));
  fake.project.seed(n, seed);
  // some internal comments and a long comment thread, as on a real project
  if (n >= 7) fake.project.comment(7, 'internal remark', { internal: true, now: new Date('2024-06-01T00:00:00.000Z') });
  fakes.push(fake);
  return fake;
}

const graphqlPosts = (f: GitLabFake) => f.requests.filter((r) => r.path === '/api/graphql');
/** Without raw, and with upload URLs on one origin: the two paths are read from two fakes on two ports. */
const withoutRaw = ({ raw: _raw, ...rest }: NormalizedItem) => ({
  ...rest,
  attachments: rest.attachments?.map((a) => ({ ...a, source_url: a.source_url && new URL(a.source_url).pathname })),
});
const SEED: SeedOptions = { userNotes: (i) => (i % 37 === 0 ? 130 : i % 4) };

describe('GitLab over GraphQL', () => {
  it('2,500 issues with comments: a small fraction of a request per item, REST needs ~0.76', async () => {
    const gql = await seeded(2500);
    const rest = await seeded(2500, {}, { graphql: 'absent' });
    const a = await collect(connectorFor(gql).connector);
    const b = await collect(connectorFor(rest).connector);
    expect(a.records).toHaveLength(2500);
    expect(b.records).toHaveLength(2500);
    const perItem = gql.requests.length / 2500;
    const restPerItem = rest.requests.length / 2500;
    console.log(`GitLab requests per item: GraphQL ${perItem.toFixed(3)} (${gql.requests.length}), REST ${restPerItem.toFixed(3)} (${rest.requests.length})`);
    expect(perItem).toBeLessThan(0.02); // 25 GraphQL pages
    expect(graphqlPosts(gql)).toHaveLength(25);
    expect(restPerItem).toBeGreaterThan(0.7);
  });

  it('normalizes to the same items as the REST path, system and internal notes included', async () => {
    const gql = await seeded(300, SEED);
    const rest = await seeded(300, SEED, { graphql: 'absent' });
    const a = connectorFor(gql).connector;
    const b = connectorFor(rest).connector;
    const viaGraphql = (await collect(a, { batchSize: 50 })).records.map((r) => a.normalize(r));
    const viaRest = (await collect(b, { batchSize: 50 })).records.map((r) => b.normalize(r));
    expect(graphqlPosts(gql).length).toBeGreaterThan(0);
    expect(graphqlPosts(rest).every((r) => r.status === 404)).toBe(true);
    expect(viaGraphql.map(withoutRaw)).toEqual(viaRest.map(withoutRaw));
    expect(viaGraphql.some((i) => i.comments.some((c) => c.internal))).toBe(true);
    expect(viaGraphql.find((i) => i.key === '#37')!.comments).toHaveLength(130);
    // raw: the fields both paths carry are equal; system notes kept beside the comments
    for (const [g, r] of viaGraphql.map((g, k) => [g.raw as Record<string, unknown>, viaRest[k]!.raw as Record<string, unknown>] as const)) {
      for (const key of ['id', 'iid', 'title', 'description', 'state', 'labels', 'web_url', 'user_notes_count', 'issue_type', 'severity']) expect(g[key]).toEqual(r[key]);
      expect((g.system_notes as { id: number }[] | undefined)?.map((n) => n.id)).toEqual((r.system_notes as { id: number }[] | undefined)?.map((n) => n.id));
    }
  });

  it('notes past the inline page are all read (over REST, for that issue only)', async () => {
    const fake = await seeded(60, SEED);
    const { connector } = connectorFor(fake);
    const run = await collect(connector, { batchSize: 100 });
    expect(run.records.find((r) => r.iid === 37)!.notes!.filter((n) => !n.system)).toHaveLength(130);
    const notesRequests = fake.requests.filter((r) => r.path.endsWith('/notes'));
    expect(notesRequests.map((r) => r.path)).toEqual(['/api/v4/projects/acme%2Fplatform%2Fapi/issues/37/notes', '/api/v4/projects/acme%2Fplatform%2Fapi/issues/37/notes']);
  });

  it('falls back to REST when the server has no GraphQL, and the log says why', async () => {
    const fake = await seeded(45, {}, { graphql: 'absent' });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
    const connector = gitlabModule.create({ base_url: fake.baseUrl, token: fake.token, project_id: fake.project.path }, { http: factory, logger, policy: TEST_POLICY.sources });
    const run = await collect(connector, { batchSize: 20 });
    expect(run.records.map((r) => r.iid)).toEqual(fake.project.issues.map((i) => i.iid));
    expect(run.records.every((r) => r.user_notes_count === 0 || Array.isArray(r.notes))).toBe(true);
    expect(lines.join('')).toContain('GitLab GraphQL not used (POST /api/graphql answered HTTP 404)');
    expect(lines.join('')).not.toContain(fake.token);
    // once refused, the same job does not ask again
    await collect(connector, { batchSize: 20 });
    expect(graphqlPosts(fake)).toHaveLength(1);
  });

  it('resumes from a checkpoint without asking for a stored page again, also onto a server without GraphQL', async () => {
    const fake = await seeded(95, SEED);
    const { connector } = connectorFor(fake);
    const first = await collect(connector, { batchSize: 20, maxPages: 2 });
    const cursor = first.pages[1]!.cursor!;
    expect(JSON.parse(cursor)).toMatchObject({ mode: 'graphql' });
    const asked = new Set(graphqlPosts(fake).map((r) => r.graphql!.after));
    fake.requests.length = 0;
    const rest = await collect(connectorFor(fake).connector, { batchSize: 20, cursor });
    expect([...first.records, ...rest.records].map((r) => r.iid)).toEqual(fake.project.issues.map((i) => i.iid));
    expect(graphqlPosts(fake).filter((r) => asked.has(r.graphql!.after) && r.graphql!.after !== first.pages[1]!.cursor)).toEqual([]);
    expect(graphqlPosts(fake).flatMap((r) => r.graphql!.notesOf).filter((iid) => iid <= 40)).toEqual([]);

    // the same checkpoint on a server that no longer answers GraphQL: REST from the last issue on
    const old = await seeded(95, SEED, { graphql: 'absent' });
    const viaRest = await collect(connectorFor(old).connector, { batchSize: 20, cursor });
    expect(viaRest.records.map((r) => r.iid)).toEqual(rest.records.map((r) => r.iid));
    expect(old.requests.filter((r) => r.path.endsWith('/notes')).every((r) => Number(/issues\/(\d+)/.exec(r.path)![1]) > 40)).toBe(true);
  });

  it('a server scoring the query over its limit gets smaller pages, and still every issue and note', async () => {
    const fake = await seeded(60, SEED, { maxComplexity: 120 });
    const run = await collect(connectorFor(fake).connector, { batchSize: 100 });
    expect(run.records).toHaveLength(60);
    const refused = graphqlPosts(fake).filter((r) => r.graphql === undefined);
    expect(refused.length).toBeGreaterThan(0);
    expect(run.records.find((r) => r.iid === 37)!.notes!.filter((n) => !n.system)).toHaveLength(130);
  });
});

describe('the fake GitLab GraphQL endpoint', () => {
  const post = (f: GitLabFake, query: string, headers: Record<string, string> = { 'PRIVATE-TOKEN': f.token }) =>
    fetch(`${f.baseUrl}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

  it("refuses what GitLab's schema and limits refuse, as GitLab answers it", async () => {
    const f = await seeded(3);
    const unknown = await post(f, '{ project(fullPath: "acme/platform/api") { issues(first: 2) { nodes { iid bogus } } } }');
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ errors: [{ message: "Field 'bogus' doesn't exist on type 'Issue'", extensions: { code: 'undefinedField' } }] });
    const arg = await (await post(f, '{ project(fullPath: "acme/platform/api") { issues(perPage: 2) { nodes { iid } } } }')).json();
    expect(arg).toMatchObject({ errors: [{ message: "Field 'issues' doesn't accept argument 'perPage'" }] });
    const big = `{ project(fullPath: "acme/platform/api") { issues(first: 100) { nodes { ${Array.from({ length: 130 }, () => 'title').join(' ')} } } } }`;
    // nodes 1 + 130; issues (131 + 1) × (1 + 100 × 1 %) = 264; project 264 + 1
    expect(await (await post(f, big)).json()).toEqual({ errors: [{ message: 'Query has complexity of 265, which exceeds max complexity of 250' }] });
    expect(await (await post(f, '{ project(fullPath: "acme/platform/api") { id } }', { 'PRIVATE-TOKEN': 'wrong' })).json()).toEqual({ errors: [{ message: 'Invalid token' }] });
    const anonymous = await (await post(f, '{ project(fullPath: "acme/platform/api") { id } }', {})).json();
    expect(anonymous).toEqual({ data: { project: null } });
    const ok = await (await post(f, '{ project(fullPath: "acme/platform/api") { issues(first: 2, sort: CREATED_ASC) { pageInfo { hasNextPage } nodes { iid id } } } }', { authorization: `Bearer ${f.token}` })).json();
    expect(ok).toEqual({ data: { project: { issues: { pageInfo: { hasNextPage: true }, nodes: [{ iid: '1', id: 'gid://gitlab/Issue/500001' }, { iid: '2', id: 'gid://gitlab/Issue/500002' }] } } } });
  });

  it('shares the REST throttle', async () => {
    const f = await seeded(3, {}, { rateLimit: { limit: 2, windowMs: 60_000 } });
    await fetch(`${f.baseUrl}/api/v4/projects/42`, { headers: { 'PRIVATE-TOKEN': f.token } });
    await post(f, '{ project(fullPath: "acme/platform/api") { id } }');
    expect((await post(f, '{ project(fullPath: "acme/platform/api") { id } }')).status).toBe(429);
  });
});
