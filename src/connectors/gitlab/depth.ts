/**
 * What a GitLab issue carries beyond its core fields (issue 12): history from its resource events,
 * attachments from the uploads its Markdown links to, custom fields, and whether each is complete.
 * Pure, like the normalizer that calls it.
 */
import type { ItemComment, Person } from '../connector.js';
import { part, skipped, type Attachment, type CustomField, type HistoryEntry, type ItemCompleteness } from '../item-depth.js';
import type { GitLabEvents, GitLabIssue, GitLabNote, GitLabRecord, GitLabResourceEvent } from './types.js';

export interface DepthContext {
  /** `https://host/api/v4/projects/<id>`: uploads are read from `<projectUrl>/uploads/<secret>/<filename>` */
  projectUrl: string;
  person(user: GitLabResourceEvent['user']): Person | null;
  isoTime(value: string | null | undefined): string | null;
}

/** State, label and milestone events as one list, oldest first (ties by kind, then id). */
export function historyOf(events: GitLabEvents, dc: DepthContext): HistoryEntry[] {
  const entries: { at: number; order: number; id: number; entry: HistoryEntry }[] = [];
  const push = (e: GitLabResourceEvent, order: number, field: string, from: string | null, to: string | null): void => {
    const at = dc.isoTime(e.created_at);
    entries.push({ at: at ? Date.parse(at) : 0, order, id: e.id, entry: { at, actor: dc.person(e.user), field, from, to } });
  };
  for (const e of events.state) {
    // A state event names the state entered; the one left is the other one.
    const to = e.state === 'reopened' ? 'opened' : (e.state ?? null);
    push(e, 0, 'state', to === 'closed' ? 'opened' : to === 'opened' ? 'closed' : null, to);
  }
  for (const e of events.label) {
    const name = e.label?.name ?? null; // a deleted label is null
    push(e, 1, 'labels', e.action === 'remove' ? name : null, e.action === 'remove' ? null : name);
  }
  for (const e of events.milestone) {
    const title = e.milestone?.title ?? null;
    push(e, 2, 'milestone', e.action === 'remove' ? title : null, e.action === 'remove' ? null : title);
  }
  return entries.sort((a, b) => a.at - b.at || a.order - b.order || a.id - b.id).map((e) => e.entry);
}

/**
 * Files uploaded to the project and linked from the description or a comment: `/uploads/<secret>/<name>`
 * (docs.gitlab.com/security/user_file_uploads), relative or on the instance. Each upload once, credited
 * to whoever first linked it.
 */
const UPLOAD = /(?:\]\(|src=["']|^|\s)(?:https?:\/\/[^\s/)"']+)?(?:\/[^\s)"']*?)?\/uploads\/([0-9a-f]{32})\/([^\s)"'?#/\\]+)/gm;

export function attachmentsOf(issue: GitLabIssue, notes: GitLabNote[], dc: DepthContext): Attachment[] {
  const found = new Map<string, Attachment>();
  const scan = (text: string | null | undefined, author: Person | null, at: string | null): void => {
    if (!text) return;
    for (const m of text.matchAll(UPLOAD)) {
      const [secret, encoded] = [m[1]!, m[2]!];
      const id = `${secret}/${encoded}`;
      // one path segment that is a name: `..` (or its escapes) would reach other API paths with the token
      if (found.has(id) || !uploadName(encoded)) continue;
      let name = encoded;
      try {
        name = decodeURIComponent(encoded);
      } catch {
        // a malformed escape stays as written
      }
      found.set(id, {
        external_id: id, name, size: null, media_type: null, author, created_at: at,
        source_url: `${dc.projectUrl}/uploads/${secret}/${encoded}`, content: null,
      });
    }
  };
  scan(issue.description, dc.person(issue.author), dc.isoTime(issue.created_at));
  for (const n of notes) scan(n.body, dc.person(n.author), dc.isoTime(n.created_at));
  return [...found.values()];
}

/** Fields outside the normalized ones, when set: milestone, due date, time tracking, and the Premium ones the server sends. */
export function customFieldsOf(issue: GitLabIssue): CustomField[] {
  const out: CustomField[] = [];
  const add = (id: string, name: string, type: string, value: unknown): void => {
    if (value !== null && value !== undefined && value !== '') out.push({ id, name, type, value });
  };
  const milestone = issue.milestone as { title?: string; due_date?: string | null } | null | undefined;
  add('milestone', 'Milestone', 'option', milestone?.title ?? null);
  add('milestone_due_date', 'Milestone due date', 'date', dateOnly(milestone?.due_date));
  add('due_date', 'Due date', 'date', dateOnly(issue.due_date));
  add('weight', 'Weight', 'number', typeof issue.weight === 'number' ? issue.weight : null);
  const iteration = issue.iteration as { title?: string | null; start_date?: string; due_date?: string } | null | undefined;
  add('iteration', 'Iteration', 'option', iteration ? (iteration.title ?? `${dateOnly(iteration.start_date) ?? '?'} – ${dateOnly(iteration.due_date) ?? '?'}`) : null);
  add('health_status', 'Health status', 'option', issue.health_status ?? null);
  if (typeof issue.severity === 'string' && issue.severity.toUpperCase() !== 'UNKNOWN') add('severity', 'Severity', 'option', issue.severity.toLowerCase());
  const time = issue.time_stats as { time_estimate?: number; total_time_spent?: number } | undefined;
  if (time?.time_estimate) add('time_estimate', 'Time estimate (s)', 'number', time.time_estimate);
  if (time?.total_time_spent) add('time_spent', 'Time spent (s)', 'number', time.total_time_spent);
  return out;
}

export function completenessOf(record: GitLabRecord, comments: ItemComment[], events: GitLabEvents | undefined, attachments: number): ItemCompleteness {
  const read = record.read ?? { comments: record.notes !== undefined, history: events !== undefined };
  const noteCount = typeof record.user_notes_count === 'number' ? record.user_notes_count : null;
  const commentsPart = !read.comments
    ? skipped('include_comments: false')
    : record.notes === undefined && noteCount !== 0
      ? part(0, noteCount, 'the issue answered 404 when its notes were read')
      : part(comments.length, noteCount);
  const historyPart = !read.history
    ? skipped('include_history: false')
    : events === undefined
      ? part(0, null, 'the issue answered 404 when its events were read')
      : part(events.state.length + events.label.length + events.milestone.length, null);
  // Uploads are found in the description and the comments: all of them only when every comment was read.
  const attachmentsPart = commentsPart.state === 'complete' || (noteCount === 0)
    ? part(attachments, null)
    : part(attachments, null, 'only the description was searched for uploads: its comments were not all read');
  return { comments: commentsPart, history: historyPart, attachments: attachmentsPart };
}

/** REST sends dates (2024-03-01), GraphQL times (2024-03-01T00:00:00Z): both become the date. */
function dateOnly(v: unknown): string | null {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
}

/** A file name as one URL path segment: not `.` or `..` in any spelling, no slash once decoded. */
export function uploadName(encoded: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return false;
  }
  return name !== '.' && name !== '..' && !/[/\\]/.test(name);
}
