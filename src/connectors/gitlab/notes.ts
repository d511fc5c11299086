/**
 * Notes of one issue: GET /projects/:id/issues/:iid/notes (docs.gitlab.com/api/notes). GitLab
 * has no project-wide notes endpoint, so this is one request per issue (more past 100 notes);
 * the outbound HTTP layer bounds how many run at once and keeps them within the rate limit.
 */
import type { SourceHttp } from '../../outbound/types.js';
import { collectIssueList } from './issue-list.js';
import type { GitLabIssue, GitLabNote, GitLabRecord } from './types.js';

export interface NotesContext {
  http: SourceHttp;
  projectUrl: string;
  instanceOrigin: string;
  signal: AbortSignal;
}

/**
 * Attaches all notes, oldest first, to each issue that has user comments. An issue whose
 * `user_notes_count` is 0 costs no request: its comments are known to be empty, and its system
 * notes (kept only in raw) are not worth a request per issue.
 */
export async function withNotes(nc: NotesContext, issues: GitLabIssue[]): Promise<GitLabRecord[]> {
  return Promise.all(
    issues.map(async (issue): Promise<GitLabRecord> => {
      if (issue.user_notes_count === 0) return issue;
      const notes = await fetchNotes(nc, issue.iid);
      return notes === null ? issue : { ...issue, notes };
    }),
  );
}

/** All notes of one issue, oldest first; null when the issue is gone (deleted or moved since it was listed): it keeps no comments. */
export async function fetchNotes(nc: NotesContext, iid: number): Promise<GitLabNote[] | null> {
  const first = `${nc.projectUrl}/issues/${encodeURIComponent(String(iid))}/notes?sort=asc&order_by=created_at&per_page=100`;
  const notes = await collectIssueList<GitLabNote>(nc, first, `notes of issue #${iid}`);
  if (notes === null) return null;
  // Oldest first even if a server ignores `sort` (its default is newest first); a note edited
  // between two pages may come twice, hence the map.
  const byId = new Map(notes.map((n) => [n.id, n]));
  return [...byId.values()].sort((a, b) => cmp(a.created_at, b.created_at) || a.id - b.id);
}

function cmp(a: string | null, b: string | null): number {
  const x = a ? Date.parse(a) : 0;
  const y = b ? Date.parse(b) : 0;
  return x - y;
}
