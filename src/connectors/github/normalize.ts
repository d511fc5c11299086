/**
 * GitHub issue (or pull request) + its comments → NormalizedItem. Pure: everything that needs a
 * request (the comments, the parent's id, the events) is resolved by the pager and carried in the record.
 * Field shapes follow the "List repository issues" and "issue comments" schemas [G1].
 * Depth (issue 12): history from the events (history.ts), attachments parsed from the body and
 * comments (attachments.ts), custom fields (fields.ts), and how complete each list is.
 */
import type { ItemComment, NormalizedItem } from '../connector.js';
import { part, skipped, type HistoryEntry, type ItemCompleteness } from '../item-depth.js';
import { parseAttachments } from './attachments.js';
import { githubCustomFields } from './fields.js';
import { githubPerson, historyOf, type IssueHistory } from './history.js';

export interface RawUser {
  id: number;
  login: string;
  /** shown only when the user made a (verified) address public */
  email?: string | null;
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
  milestone?: { title?: string | null; due_on?: string | null } | null;
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
  /** false when comments were not asked for (absent: asked) */
  comments_read?: boolean;
  /** The issue's events; absent when history was not asked for. */
  history?: IssueHistory;
  /** Where uploads are linked from (https://github.com, or the GHES host): set by the pager. */
  web_origin?: string;
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

const person = githubPerson;

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

/** Whether each list is all there: comments against the issue's own count, history by how far its read got. */
function completeness(record: GithubRecord, comments: ItemComment[], history: HistoryEntry[] | undefined): ItemCompleteness {
  const { issue } = record;
  const total = typeof issue.comments === 'number' ? issue.comments : null;
  const commentsPart = record.comments_read === false ? skipped('include_comments is false') : part(comments.length, total);
  const historyPart = history && record.history ? part(history.length, null, record.history.partial) : skipped('include_history is false');
  let attachments;
  if (!record.web_origin) attachments = skipped('uploads were not looked for');
  else if (commentsPart.state === 'complete') attachments = part(0, null);
  else attachments = part(0, null, commentsPart.state === 'skipped' ? 'comments not read (include_comments is false): only the description\'s uploads are listed' : `comments incomplete (${commentsPart.reason}): uploads in the missing comments are not listed`);
  return { comments: commentsPart, history: historyPart, attachments };
}

export function normalizeGithub(raw: unknown, project: string): NormalizedItem {
  const record = raw as GithubRecord;
  const { issue, comments, earlier_comments, parent_external_id } = record;
  if (!issue || !Number.isSafeInteger(issue.id) || !Number.isSafeInteger(issue.number)) {
    throw new Error('GitHub record without a numeric id and number');
  }
  if (typeof issue.title !== 'string') throw new Error(`GitHub issue #${issue.number} has no title`);
  const assignee = issue.assignees?.[0] ?? issue.assignee ?? null;
  const all = allComments(comments ?? [], earlier_comments ?? []);
  const reporter = person(issue.user);
  const createdAt = isoOrNull(issue.created_at, 'created_at');
  const attachments = record.web_origin
    ? parseAttachments([{ text: issue.body, author: reporter, created_at: createdAt }, ...all.map((c) => ({ text: c.body, author: c.author, created_at: c.created_at }))], record.web_origin)
    : [];
  const history = record.history ? historyOf(record.history.events) : undefined;
  const depth = completeness(record, all, history);
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
    reporter,
    labels: labelNames(issue.labels),
    url: issue.html_url ?? null,
    parent_external_id,
    created_at: createdAt,
    updated_at: isoOrNull(issue.updated_at, 'updated_at'),
    closed_at: isoOrNull(issue.closed_at, 'closed_at'),
    comments: all,
    ...(history ? { history } : {}),
    attachments,
    custom_fields: githubCustomFields(issue),
    completeness: { ...depth, attachments: { ...depth.attachments, fetched: attachments.length } },
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
