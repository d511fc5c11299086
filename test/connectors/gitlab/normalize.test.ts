import { describe, expect, it } from 'vitest';
import { gitlabModule } from '../../../src/connectors/gitlab/index.js';
import { identifyGitLab, normalizeGitLab } from '../../../src/connectors/gitlab/normalize.js';
import { decodeCursor, encodeCursor } from '../../../src/connectors/gitlab/cursor.js';

// Shapes from the examples of docs.gitlab.com/api/issues and docs.gitlab.com/api/notes.
const author = { id: 1, username: 'pipin', email: 'admin@example.com', name: 'Pip', state: 'active' };
const issue = {
  id: 76,
  iid: 6,
  project_id: 1,
  title: 'Consequatur vero maxime deserunt laboriosam est voluptas dolorem.',
  description: 'Ratione dolores **corrupti** mollitia.',
  state: 'closed',
  created_at: '2016-01-04T15:31:51.081Z',
  updated_at: '2016-01-04T15:31:51.081+01:00',
  closed_at: '2016-01-05T15:31:51.081Z',
  labels: ['foo', { name: 'bar', color: '#fff' }],
  milestone: { id: 5, iid: 1, title: 'v1.0' },
  assignees: [{ id: 9, username: 'ghost', name: '' }],
  assignee: { id: 9, username: 'ghost', name: '' },
  author,
  type: 'INCIDENT',
  issue_type: 'incident',
  severity: 'CRITICAL',
  user_notes_count: 1,
  web_url: 'http://gitlab.example.com/my-group/my-project/issues/6',
};
const note = (id: number, system: boolean, extra: Record<string, unknown> = {}) => ({
  id,
  body: system ? 'closed' : `Text of the comment ${id}\r\n`,
  author,
  created_at: '2013-10-02T09:22:45Z',
  system,
  internal: false,
  confidential: false,
  ...extra,
});

describe('GitLab normalize', () => {
  it('maps an issue as the contract asks', () => {
    const item = normalizeGitLab({ ...issue, notes: [note(302, true), note(305, false), note(306, false, { confidential: true })] }, 'my-group/my-project');
    expect(item).toMatchObject({
      external_id: '76',
      key: '#6',
      project: 'my-group/my-project',
      description: 'Ratione dolores **corrupti** mollitia.',
      status: 'closed',
      status_category: 'done',
      priority: 'critical',
      item_type: 'incident',
      assignee: { external_id: '9', name: 'ghost', email: null },
      reporter: { external_id: '1', name: 'Pip', email: 'admin@example.com' },
      labels: ['foo', 'bar'],
      url: 'http://gitlab.example.com/my-group/my-project/issues/6',
      parent_external_id: null,
      created_at: '2016-01-04T15:31:51.081Z',
      updated_at: '2016-01-04T14:31:51.081Z',
      closed_at: '2016-01-05T15:31:51.081Z',
    });
    expect(item.comments.map((c) => [c.external_id, c.internal])).toEqual([['305', false], ['306', true]]);
    expect(item.comments[0]!.body).toBe('Text of the comment 305\r\n');
    const raw = item.raw as Record<string, unknown>;
    expect((raw.system_notes as { id: number }[]).map((n) => n.id)).toEqual([302]);
    expect(raw.milestone).toEqual(issue.milestone);
    expect(raw).not.toHaveProperty('notes');
  });

  it('opened is todo; no assignee, no description, no notes fetched, older `type` only', () => {
    const { issue_type: _t, severity: _s, ...old } = issue;
    const item = normalizeGitLab({ ...old, type: 'ISSUE', state: 'opened', assignees: [], assignee: null, description: null, closed_at: null }, '7');
    expect(item).toMatchObject({ status_category: 'todo', assignee: null, description: null, item_type: 'issue', priority: null, closed_at: null, comments: [] });
    expect(item.raw).not.toHaveProperty('system_notes');
  });

  it('a record it cannot read fails that item, with its identity', () => {
    expect(() => normalizeGitLab({ iid: 3, state: 'opened' }, 'p')).toThrow(/no id/);
    expect(() => normalizeGitLab({ ...issue, created_at: 'yesterday' }, 'p')).toThrow(/timestamp/);
    expect(identifyGitLab({ id: 76, iid: 6 })).toEqual({ external_id: '76', key: '#6' });
    expect(identifyGitLab(null)).toEqual({ external_id: '', key: null });
  });
});

describe('GitLab config and cursor', () => {
  it('describes scope and project as project_id given, base_url defaulted and trimmed', () => {
    expect(gitlabModule.describe({ token: 't', project_id: 'group/sub/project' })).toEqual({
      base_url: 'https://gitlab.com',
      scope: 'group/sub/project',
      project: 'group/sub/project',
    });
    expect(gitlabModule.describe({ base_url: 'https://git.acme.io/api/v4/', token: 't', project_id: 278964 })).toEqual({
      base_url: 'https://git.acme.io',
      scope: '278964',
      project: '278964',
    });
    expect(gitlabModule.secretFields).toEqual(['token']);
    expect((gitlabModule.configSchema as { additionalProperties?: unknown }).additionalProperties).toBe(false);
  });

  it('round-trips cursors and refuses foreign ones', () => {
    const c = { v: 1, mode: 'offset', page: 3, per_page: 100 } as const;
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor(null)).toBeNull();
    expect(() => decodeCursor('{"startAt":5}')).toThrow();
  });
});
