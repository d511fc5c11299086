/**
 * GitHub issue (or pull request) + its comments → NormalizedItem. Pure: everything that needs a
 * request (the comments, the parent's id) is resolved by the pager and carried in the record.
 * Field shapes follow the "List repository issues" and "issue comments" schemas [G1].
 */
import type { ItemComment, NormalizedItem, Person } from '../connector.js';

export interface RawUser {
  id: number;
  login: string;
}

export interface RawIssue {
  id: number;
  number: number;
  title: string;
  body?: string | null;
  state: string;
  /** the API URL of its repository (a transferred issue's is its new one) */
  repository_url?: string;
  state_reason?: string | null;
  user?: RawUser | null;
  assignee?: RawUser | null;
  assignees?: RawUser[] | null;
  labels?: (string | { name?: string | null })[];
  comments?: number;
  type?: { name?: string | null } | null;
  pull_request?: unknown;
  parent_issue_url?: string | null;
  html_url?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  closed_at?: string | null;
  [field: string]: unknown;
}

export interface RawComment {
  id: number;
  body?: string | null;
  user?: RawUser | null;
  issue_url: string;
  created_at?: string | null;
  updated_at?: string | null;
  [field: string]: unknown;
}

/** What pages() yields per item. */
export interface GithubRecord {
  issue: RawIssue;
  /** Complete, unless `earlier_comments` holds the rest; [] when comments were not requested. */
  comments: RawComment[];
  /** Incremental runs: the stored comments not changed since `since` (the rest of the issue's comments), merged by id. */
  earlier_comments?: ItemComment[];
  /** The parent issue's id (not its number), when the issue is a sub-issue and the parent could be read. */
  parent_external_id: string | null;
}

export function isPullRequest(issue: RawIssue): boolean {
  return issue.pull_request !== undefined && issue.pull_request !== null;
}

/** Trailing issue number of an `issue_url` or `parent_issue_url` (…/issues/42). */
export function issueNumberFromUrl(url: string | null | undefined): number | null {
  const m = /\/issues\/(\d+)\/?$/.exec(url ?? '');
  return m ? Number(m[1]) : null;
}

/** `closed` alone means completed; other reasons are kept visible because they change what "done" meant. */
export function githubStatus(issue: RawIssue): string {
  const reason = issue.state_reason;
  if (issue.state === 'closed' && reason && reason !== 'completed') return `closed (${reason})`;
  return issue.state;
}

function person(user: RawUser | null | undefined): Person | null {
  if (!user || user.id === undefined || user.id === null) return null;
  return { external_id: String(user.id), name: user.login ?? null, email: null };
}

function isoOrNull(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`${field} is not a date: ${JSON.stringify(value).slice(0, 40)}`);
  return new Date(t).toISOString();
}

function labelNames(labels: RawIssue['labels']): string[] {
  const names = (labels ?? []).map((l) => (typeof l === 'string' ? l : (l?.name ?? '')));
  return names.filter((n) => n !== '');
}

function comment(c: RawComment): ItemComment {
  return {
    external_id: String(c.id),
    author: person(c.user),
    body: c.body ?? '',
    created_at: isoOrNull(c.created_at, 'comment created_at'),
    internal: false,
  };
}

/** In ascending id (= creation) order, as a full import stores them, so an unchanged item hashes the same either way. */
function allComments(read: RawComment[], earlier: ItemComment[]): ItemComment[] {
  const fresh = read.map(comment);
  const ids = new Set(fresh.map((c) => c.external_id));
  const all = [...earlier.filter((c) => !ids.has(c.external_id)), ...fresh];
  return all.sort((a, b) => Number(a.external_id) - Number(b.external_id));
}

export function normalizeGithub(raw: unknown, project: string): NormalizedItem {
  const { issue, comments, earlier_comments, parent_external_id } = raw as GithubRecord;
  if (!issue || !Number.isSafeInteger(issue.id) || !Number.isSafeInteger(issue.number)) {
    throw new Error('GitHub record without a numeric id and number');
  }
  if (typeof issue.title !== 'string') throw new Error(`GitHub issue #${issue.number} has no title`);
  const assignee = issue.assignees?.[0] ?? issue.assignee ?? null;
  return {
    external_id: String(issue.id),
    key: `#${issue.number}`,
    project,
    title: issue.title,
    description: issue.body ?? null,
    status: githubStatus(issue),
    status_category: issue.state === 'closed' ? 'done' : 'todo',
    priority: null,
    item_type: isPullRequest(issue) ? 'pull_request' : (issue.type?.name ?? 'issue'),
    assignee: person(assignee),
    reporter: person(issue.user),
    labels: labelNames(issue.labels),
    url: issue.html_url ?? null,
    parent_external_id,
    created_at: isoOrNull(issue.created_at, 'created_at'),
    updated_at: isoOrNull(issue.updated_at, 'updated_at'),
    closed_at: isoOrNull(issue.closed_at, 'closed_at'),
    comments: allComments(comments ?? [], earlier_comments ?? []),
    raw: issue,
  };
}

export function identifyGithub(raw: unknown): { external_id: string; key: string | null } {
  const issue = (raw as Partial<GithubRecord> | null)?.issue;
  return {
    external_id: issue?.id !== undefined ? String(issue.id) : '',
    key: typeof issue?.number === 'number' ? `#${issue.number}` : null,
  };
}
