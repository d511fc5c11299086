/**
 * GitLab issue (+ notes) → NormalizedItem. Pure. System notes ("closed", "changed the
 * description", …) are not comments (CONTRACT §4); they stay in `raw.system_notes`.
 */
import type { ItemComment, NormalizedItem, Person, StatusCategory } from '../connector.js';
import type { GitLabIssue, GitLabNote, GitLabRecord, GitLabUser } from './types.js';
import { attachmentsOf, completenessOf, customFieldsOf, historyOf } from './depth.js';

export function identifyGitLab(raw: unknown): { external_id: string; key: string | null } {
  const r = (raw ?? {}) as Partial<GitLabIssue>;
  return {
    external_id: r.id === undefined || r.id === null ? '' : String(r.id),
    key: typeof r.iid === 'number' || typeof r.iid === 'string' ? `#${r.iid}` : null,
  };
}

/** `projectUrl` (the project's API URL) is where linked uploads are read from. */
export function normalizeGitLab(raw: unknown, project: string, projectUrl = ''): NormalizedItem {
  const record = assertRecord(raw);
  const { notes, events, read: _read, ...issue } = record;
  const userNotes = (notes ?? []).filter((n) => !n.system);
  const assignee = issue.assignees?.[0] ?? issue.assignee ?? null;
  const comments = userNotes.map(comment);
  const dc = { projectUrl, person, isoTime };
  const attachments = attachmentsOf(issue, userNotes, dc);
  return {
    external_id: String(issue.id),
    key: `#${issue.iid}`,
    project,
    title: typeof issue.title === 'string' ? issue.title : '',
    description: typeof issue.description === 'string' ? issue.description : null,
    status: issue.state,
    status_category: statusCategory(issue.state),
    priority: priorityOf(issue.severity),
    item_type: itemType(issue),
    assignee: person(assignee),
    reporter: person(issue.author),
    labels: (issue.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name)),
    url: issue.web_url ?? null,
    parent_external_id: null,
    created_at: isoTime(issue.created_at),
    updated_at: isoTime(issue.updated_at),
    closed_at: isoTime(issue.closed_at),
    comments,
    history: events ? historyOf(events, dc) : [],
    attachments,
    custom_fields: customFieldsOf(issue),
    completeness: completenessOf(record, comments, events, attachments.length),
    raw: notes === undefined ? issue : { ...issue, system_notes: notes.filter((n) => n.system) },
  };
}

function assertRecord(raw: unknown): GitLabRecord {
  const r = raw as Partial<GitLabRecord> | null;
  if (!r || typeof r !== 'object') throw new Error('GitLab issue is not an object');
  if (typeof r.id !== 'number' && typeof r.id !== 'string') throw new Error('GitLab issue has no id');
  if (typeof r.iid !== 'number' && typeof r.iid !== 'string') throw new Error('GitLab issue has no iid');
  if (typeof r.state !== 'string') throw new Error(`GitLab issue ${r.id} has no state`);
  if (r.notes !== undefined && !Array.isArray(r.notes)) throw new Error(`GitLab issue ${r.id} has malformed notes`);
  if (r.events !== undefined && !['state', 'label', 'milestone'].every((k) => Array.isArray(r.events?.[k as 'state']))) {
    throw new Error(`GitLab issue ${r.id} has malformed events`);
  }
  return r as GitLabRecord;
}

function statusCategory(state: string): StatusCategory {
  return state === 'closed' ? 'done' : 'todo';
}

/** GitLab has no issue priority; an incident's severity is the closest thing (UNKNOWN means unset). */
function priorityOf(severity: string | null | undefined): string | null {
  if (!severity || severity.toUpperCase() === 'UNKNOWN') return null;
  return severity.toLowerCase();
}

/** `issue_type` ('issue', 'incident', 'test_case', 'task'); older servers only send `type` ('ISSUE'). */
function itemType(issue: GitLabIssue): string {
  const t = issue.issue_type ?? issue.type;
  return typeof t === 'string' && t ? t.toLowerCase() : 'issue';
}

/**
 * GitLab shows a user's email only as their public email, which GitLab accepts only from the user's
 * verified addresses (docs.gitlab.com/user/profile/#set-your-public-email): so it is vouched for.
 */
function person(user: GitLabUser | null | undefined): Person | null {
  if (!user || user.id === undefined || user.id === null) return null;
  const email = user.email || null;
  return { external_id: String(user.id), name: user.name || user.username || null, email, ...(email ? { email_verified: true } : {}) };
}

function comment(note: GitLabNote): ItemComment {
  return {
    external_id: String(note.id),
    author: person(note.author),
    body: note.body ?? '',
    created_at: isoTime(note.created_at),
    // `confidential` is the pre-16.0 name of `internal`; older servers send only that.
    internal: note.internal === true || note.confidential === true,
  };
}

/** GitLab sends `2016-01-04T15:31:46.176Z`; self-managed may send offsets. Always UTC with Z. */
function isoTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`unparseable GitLab timestamp ${JSON.stringify(value).slice(0, 40)}`);
  return new Date(ms).toISOString();
}
