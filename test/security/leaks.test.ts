/**
 * "A credential never appears in Redis in clear, in a log line, in an API response or in an error
 * message": real imports of all four sources against their fakes with distinctive credentials —
 * successes, wrong credentials, persistent 500s, a redirect to another origin, a source that echoes
 * the credential in its error body, refused POST bodies — then every log line, API response, Redis
 * value, database row and redirected request is searched for any form of any credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraFake } from '../../src/sandbox/fakes/jira.js';
import { started } from '../../src/sandbox/fakes/vendor-fake.js';
import { generateIssues } from '../../src/sandbox/fakes/jira-data.js';
import { FakeServiceNow } from '../../src/sandbox/fakes/servicenow.js';
import { seedIncidents } from '../../src/sandbox/fakes/servicenow-seed.js';
import { GithubFake } from '../../src/sandbox/fakes/github.js';
import { GitLabFake } from '../../src/sandbox/fakes/gitlab.js';
import { securityEnv, type SecurityEnv } from './env.js';
import { findLeaks, JIRA_EMAIL, MARKER, redirectTrap, SECRETS as S, SN_USER } from './support.js';

let env: SecurityEnv;
let jira: JiraFake;
let jiraDc: JiraFake;
let sn: FakeServiceNow;
let gh: GithubFake;
let gl: GitLabFake;
let trap: Awaited<ReturnType<typeof redirectTrap>>;

beforeAll(async () => {
  env = await securityEnv();
  jira = await started(new JiraFake({ flavor: 'cloud', email: JIRA_EMAIL, apiToken: S.jiraToken, issues: generateIssues({ count: 7, comments: (i) => i % 3 }) }));
  jiraDc = await started(new JiraFake({ flavor: 'dc', pat: S.jiraPat, issues: generateIssues({ count: 3 }) }));
  sn = await started(new FakeServiceNow({ users: { [SN_USER]: S.snPassword }, tokens: [S.snToken] }));
  seedIncidents(sn.data, { count: 6, journal: (i) => i % 2 });
  gh = await started(new GithubFake({ token: S.githubToken, private: true, issues: 5, prEvery: 0 }));
  gl = new GitLabFake({ token: S.gitlabToken });
  gl.project.seed(5);
  await gl.start();
  trap = await redirectTrap();
}, 60_000);

afterAll(async () => {
  await Promise.all([jira?.close(), jiraDc?.close(), sn?.close(), gh?.close(), gl?.close(), trap?.close()]);
  await env?.cleanup();
});

const jiraCloud = (over: Record<string, unknown> = {}) => ({
  source_type: 'jira', source_config: { base_url: jira.baseUrl, email: JIRA_EMAIL, api_token: S.jiraToken, project_key: 'TEST', ...over },
});
const jiraPat = (over: Record<string, unknown> = {}) => ({
  source_type: 'jira', source_config: { base_url: jiraDc.baseUrl, personal_access_token: S.jiraPat, project_key: 'TEST', ...over },
});
const snBasic = (over: Record<string, unknown> = {}) => ({
  source_type: 'servicenow', source_config: { base_url: sn.baseUrl, username: SN_USER, password: S.snPassword, ...over },
});
const snOauth = (over: Record<string, unknown> = {}) => ({
  source_type: 'servicenow', source_config: { base_url: sn.baseUrl, access_token: S.snToken, ...over },
});
const github = (over: Record<string, unknown> = {}) => ({
  source_type: 'github', source_config: { base_url: gh.baseUrl, token: S.githubToken, owner: 'octo-org', repo: 'hello-world', ...over },
});
const gitlab = (over: Record<string, unknown> = {}) => ({
  source_type: 'gitlab', source_config: { base_url: gl.baseUrl, token: S.gitlabToken, project_id: gl.project.path, ...over },
});

describe('credentials through whole imports of all four sources', () => {
  it.each([
    ['Jira Cloud', () => jiraCloud(), 7],
    ['Jira Data Center', () => jiraPat(), 3],
    ['ServiceNow Basic', () => snBasic(), 6],
    ['ServiceNow OAuth', () => snOauth(), 6],
    ['GitHub', () => github(), 5],
    ['GitLab', () => gitlab(), 5],
  ])('%s imports (the credentials work)', async (_name, body, n) => {
    const job = await env.runImport(body());
    expect(job).toMatchObject({ status: 'completed', error_code: null });
    expect(job.progress.successful_items + job.progress.skipped_items).toBe(n);
  });

  it.each([
    ['Jira Cloud', () => jiraCloud({ api_token: S.wrongJiraToken })],
    ['ServiceNow', () => snBasic({ password: S.wrongSnPassword })],
    ['GitHub', () => github({ token: S.wrongGithubToken })],
    ['GitLab', () => gitlab({ token: S.wrongGitlabToken })],
  ])('%s with a wrong credential fails with SOURCE_AUTH_FAILED', async (_name, body) => {
    const job = await env.runImport(body());
    expect(job).toMatchObject({ status: 'failed', error_code: 'SOURCE_AUTH_FAILED' });
  });

  it('every source answering 500 fails with SOURCE_UNAVAILABLE', async () => {
    const down = await started(new JiraFake({ flavor: 'cloud', email: JIRA_EMAIL, apiToken: S.jiraToken }));
    down.inject({ kind: 'status', status: 500, times: Infinity });
    sn.inject({ kind: 'status', status: 500, times: Infinity, when: (r) => (r.query.get('sysparm_query') ?? '').includes('x=1') });
    gh.inject({ kind: 'status', status: 500, times: Infinity, match: /\/five\b/ });
    gl.inject({ kind: 'status', status: 500, times: Infinity, match: /\/projects\/5\b/ });
    try {
      const bodies = [jiraCloud({ base_url: down.baseUrl }), snBasic({ query: 'x=1' }), github({ repo: 'five' }), gitlab({ project_id: 5 })];
      const jobs = await Promise.all(bodies.map((b) => env.runImport(b)));
      for (const job of jobs) expect(job).toMatchObject({ status: 'failed', error_code: 'SOURCE_UNAVAILABLE' });
    } finally {
      await down.close();
      gl.clearFaults();
    }
  });

  it('a source that redirects to another origin gets no credential there, and the job fails', async () => {
    const bodies = [jiraCloud(), jiraPat(), snBasic(), snOauth(), github(), gitlab()].map((b) => ({
      ...b, source_config: { ...b.source_config, base_url: trap.origin },
    }));
    for (const body of bodies) expect((await env.runImport(body)).status).toBe('failed');
    expect(trap.received.length).toBeGreaterThanOrEqual(bodies.length);
    expect(findLeaks(new Map([['redirected requests', JSON.stringify(trap.received)]]))).toEqual([]);
  });

  it('a source whose error body echoes the credential does not put it in the job error', async () => {
    const echo = JSON.stringify({ errorMessages: [`The token ${S.jiraToken} for ${JIRA_EMAIL} is not allowed to run this search`], errors: {} });
    const echoing = await started(new JiraFake({ flavor: 'cloud', email: JIRA_EMAIL, apiToken: S.jiraToken }));
    echoing.inject({ kind: 'reply', status: 400, times: Infinity, body: echo });
    try {
      const job = await env.runImport(jiraCloud({ base_url: echoing.baseUrl }));
      expect(job).toMatchObject({ status: 'failed', error_code: 'SOURCE_RESPONSE_INVALID' });
      expect(job.error_message).toContain('is not allowed to run this search');
      expect(job.error_message).not.toContain(MARKER);
      // The job error also reaches the worker log, so it is searched there by the last test.
      expect(env.seen.texts.get('log')).toContain('is not allowed to run this search');
    } finally {
      await echoing.close();
    }
  });
});

describe('credentials in refused and replayed requests', () => {
  it('422s name the field, never its value', async () => {
    const refused = [
      { ...jiraCloud(), source_config: { ...jiraCloud().source_config, api_tokn: S.jiraToken } },
      { ...snBasic(), source_config: { ...snBasic().source_config, access_token: S.snToken } },
      { ...github(), source_config: { ...github().source_config, token: 42, extra: S.githubToken } },
      { ...gitlab(), source_config: { ...gitlab().source_config, base_url: `https://user:${S.gitlabToken}@gitlab.example.com` } },
      { ...jiraPat(), source_config: { ...jiraPat().source_config, email: JIRA_EMAIL } },
    ];
    for (const payload of refused) {
      const res = await env.call({ method: 'POST', url: '/api/imports', payload });
      expect([res.status, res.json().error_code]).toEqual([422, 'VALIDATION_ERROR']);
    }
  });

  it('an idempotent replay answers the same job without credentials', async () => {
    const headers = { 'idempotency-key': 'sec-replay-1' };
    const first = await env.call({ method: 'POST', url: '/api/imports', payload: gitlab({ project_id: 'acme/replay' }), headers });
    const again = await env.call({ method: 'POST', url: '/api/imports', payload: gitlab({ project_id: 'acme/replay' }), headers });
    expect([first.status, again.status]).toEqual([202, 200]);
    await env.harness.waitFor(first.json().job_id);
  });
});

describe('nothing collected holds a credential', () => {
  it('logs, API responses, Redis values and database rows', async () => {
    for (const url of ['/api/imports?limit=100', '/api/items?limit=1000', '/metrics', '/openapi.json', '/health']) {
      expect((await env.call({ url })).status).toBe(200);
    }
    await env.snapshotRedis('at the end');
    // Sealed credentials live only while their job can still run: every job here has ended.
    expect(env.seen.texts.get('redis at the end')).not.toMatch(/import:creds:/);
    await env.snapshotDatabase();
    const kinds = [...env.seen.texts.keys()].map((k) => k.split(' ')[0]);
    expect(new Set(kinds)).toEqual(new Set(['log', 'response', 'redis', 'database']));
    // The search is real: the marker is found where it belongs, in the sources' own request logs.
    expect(JSON.stringify(gh.requests.map((r) => r.headers))).toContain(MARKER);
    expect(findLeaks(env.seen.texts)).toEqual([]);
  });
});
