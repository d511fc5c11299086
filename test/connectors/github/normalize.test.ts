import { describe, expect, it } from 'vitest';
import { githubModule } from '../../../src/connectors/github/index.js';
import { normalizeGithub, identifyGithub, type GithubRecord, type RawIssue } from '../../../src/connectors/github/normalize.js';

const octocat = { login: 'octocat', id: 1 };
const base: RawIssue = {
  id: 1347001, number: 1347, title: 'Found a bug', body: "I'm having a problem with this.", state: 'open', state_reason: null,
  user: octocat, labels: [{ name: 'bug' }], assignee: null, assignees: [], comments: 0,
  html_url: 'https://github.com/octocat/Hello-World/issues/1347',
  created_at: '2011-04-22T13:33:48Z', updated_at: '2011-04-22T13:33:48Z', closed_at: null,
};
const record = (issue: Partial<RawIssue>, extra: Partial<GithubRecord> = {}): GithubRecord => ({
  issue: { ...base, ...issue }, comments: [], parent_external_id: null, ...extra,
});
const norm = (r: GithubRecord) => normalizeGithub(r, 'octocat/Hello-World');

describe('normalizeGithub', () => {
  it('maps the documented issue fields', () => {
    const item = norm(record({ assignees: [{ login: 'hubot', id: 2 }, octocat], milestone: { title: 'v1.0' } }, { parent_external_id: '99' }));
    expect(item).toMatchObject({
      external_id: '1347001', key: '#1347', project: 'octocat/Hello-World', title: 'Found a bug',
      description: "I'm having a problem with this.", status: 'open', status_category: 'todo', priority: null,
      item_type: 'issue', assignee: { external_id: '2', name: 'hubot', email: null },
      reporter: { external_id: '1', name: 'octocat', email: null }, labels: ['bug'],
      url: 'https://github.com/octocat/Hello-World/issues/1347', parent_external_id: '99',
      created_at: '2011-04-22T13:33:48.000Z', closed_at: null, comments: [],
    });
    expect((item.raw as RawIssue)['milestone']).toEqual({ title: 'v1.0' });
  });

  it.each([
    ['closed', 'completed', 'closed', 'done'],
    ['closed', 'not_planned', 'closed (not_planned)', 'done'],
    ['closed', 'duplicate', 'closed (duplicate)', 'done'],
    ['closed', null, 'closed', 'done'],
    ['open', 'reopened', 'open', 'todo'],
  ])('state %s + reason %s → %s / %s', (state, reason, status, category) => {
    const item = norm(record({ state, state_reason: reason, closed_at: state === 'closed' ? '2011-04-23T00:00:00Z' : null }));
    expect([item.status, item.status_category]).toEqual([status, category]);
  });

  it('takes labels as strings or objects, the issue type, a null body and a deleted user', () => {
    const item = norm(record({ labels: ['a', { name: 'b' }, { name: null }], type: { name: 'Bug' }, body: null, user: null }));
    expect(item.labels).toEqual(['a', 'b']);
    expect(item.item_type).toBe('Bug');
    expect(item.description).toBeNull();
    expect(item.reporter).toBeNull();
  });

  it('marks pull requests and falls back to the single assignee field', () => {
    const item = norm(record({ pull_request: { url: 'x' }, assignee: octocat, assignees: [] }));
    expect(item.item_type).toBe('pull_request');
    expect(item.assignee?.name).toBe('octocat');
  });

  it('orders comments by id and keeps their Markdown', () => {
    const c = (id: number, body: string) => ({ id, body, user: octocat, issue_url: 'u/issues/1347', created_at: '2011-04-22T14:00:00Z' });
    const item = norm(record({}, { comments: [c(12, 'second'), c(11, '**first**')] }));
    expect(item.comments).toEqual([
      { external_id: '11', author: { external_id: '1', name: 'octocat', email: null }, body: '**first**', created_at: '2011-04-22T14:00:00.000Z', internal: false },
      { external_id: '12', author: { external_id: '1', name: 'octocat', email: null }, body: 'second', created_at: '2011-04-22T14:00:00.000Z', internal: false },
    ]);
  });

  it('refuses records it cannot key, and identifies them as far as it can', () => {
    expect(() => norm(record({ id: undefined as unknown as number }))).toThrow(/numeric id/);
    expect(() => norm(record({ created_at: 'yesterday' }))).toThrow(/created_at/);
    expect(identifyGithub(record({ id: 5, number: 6 }))).toEqual({ external_id: '5', key: '#6' });
    expect(identifyGithub(null)).toEqual({ external_id: '', key: null });
  });
});

describe('githubModule', () => {
  it('describes the scope as owner/repo with defaults applied', () => {
    expect(githubModule.describe({ owner: 'octocat', repo: 'Hello-World' })).toEqual({
      base_url: 'https://api.github.com', scope: 'octocat/Hello-World', project: 'octocat/Hello-World',
    });
    expect(githubModule.describe({ base_url: 'https://ghe.example.com/api/v3/', owner: 'a', repo: 'b' }).base_url).toBe('https://ghe.example.com/api/v3');
    expect(githubModule.secretFields).toEqual(['token']);
  });

  it.each([
    [{ owner: 'octocat', repo: 'Hello-World', api_tokn: 'x' }, 'additional'],
    [{ owner: '-bad', repo: 'r' }, 'owner'],
    [{ owner: 'o', repo: '..' }, 'repo'],
    [{ owner: 'o', repo: 'a/b' }, 'repo'],
    [{ owner: 'o', repo: 'r', state: 'opened' }, 'state'],
  ])('refuses an invalid source_config %j', (config, path) => {
    expect(() => githubModule.describe(config)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    try {
      githubModule.describe(config);
    } catch (e) {
      expect(JSON.stringify((e as { details: unknown }).details)).toContain(path);
    }
  });
});
