/**
 * One issue by iid for a vendor webhook (CONTRACT §12): GET /projects/:id/issues/:iid and its
 * notes (GET …/notes, one request per 100). A 404 is told apart from a missing project by one
 * read of the project, which throws SOURCE_NOT_FOUND or SOURCE_AUTH_FAILED when it is that.
 */
import { SourceError } from '../../errors.js';
import type { FetchOneResult } from '../connector.js';
import type { GitLabConfig } from './config.js';
import { withNotes, type NotesContext } from './notes.js';
import type { GitLabIssue } from './types.js';

const IID = /^[1-9]\d{0,9}$/;

export async function fetchGitLabIssue(nc: NotesContext, config: GitLabConfig, ref: string): Promise<FetchOneResult> {
  if (!IID.test(ref)) throw new Error('a GitLab issue reference is its iid');
  const res = await nc.http.get<GitLabIssue>(`${nc.projectUrl}/issues/${ref}`, { signal: nc.signal, allowStatus: [404] });
  if (res.status === 404) {
    await nc.http.get(nc.projectUrl, { signal: nc.signal });
    return { kind: 'gone' };
  }
  const issue = res.body;
  if (!issue || typeof issue !== 'object' || Array.isArray(issue)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab answered issue #${ref} with something other than an issue`, res.status);
  }
  const state = config.state ?? 'all';
  if (state !== 'all' && issue.state !== state) return { kind: 'out-of-scope', reason: `state ${issue.state}, and the sync reads ${state} issues only` };
  const [record] = await withNotes(nc, [issue]);
  return { kind: 'found', record };
}
