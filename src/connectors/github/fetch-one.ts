/**
 * One issue by number for a vendor webhook (CONTRACT §12): GET /repos/{o}/{r}/issues/{n}, its own
 * comment list when it has comments, its parent's id when that is another issue, and its events when
 * history is asked for. Three
 * requests at most for an issue with under 100 comments (one more to tell a missing issue from a
 * missing repository).
 */
import type { FetchOneResult } from '../connector.js';
import type { GithubConfig } from './config.js';
import { issueComments, type CommentContext } from './comments.js';
import { isPullRequest, type GithubRecord, type RawIssue } from './normalize.js';
import { ParentResolver } from './parents.js';
import type { IssueHistory } from './history.js';

const NUMBER = /^[1-9]\d{0,9}$/;

/** @param history the issue's events reader when history is asked for (one more request, more past 100 events) */
export async function fetchGithubIssue(
  ctx: CommentContext, config: GithubConfig, ref: string, history: ((issue: RawIssue) => Promise<IssueHistory>) | null = null,
): Promise<FetchOneResult> {
  if (!NUMBER.test(ref)) throw new Error('a GitHub issue reference is its number');
  const res = await ctx.http.get<RawIssue>(`${ctx.repoUrl}/issues/${ref}`, { signal: ctx.signal, allowStatus: [404, 410] });
  // 410: deleted. 404: deleted or transferred where the token cannot follow, or no access to the
  // repository at all; reading the repository tells (it throws SOURCE_NOT_FOUND / AUTH_FAILED).
  if (res.status === 410) return { kind: 'gone' };
  if (res.status === 404) {
    await ctx.http.get(ctx.repoUrl, { signal: ctx.signal });
    return { kind: 'gone' };
  }
  const issue = res.body;
  // A transferred issue redirects to its new repository. So does every issue of a renamed one,
  // so this is no proof of deletion: left alone, for the next full run to judge.
  if (String(issue.repository_url ?? '').toLowerCase() !== ctx.repoUrl.toLowerCase()) return { kind: 'out-of-scope', reason: 'the issue now lives in another repository' };
  if (isPullRequest(issue) && !config.includePullRequests) return { kind: 'out-of-scope', reason: 'a pull request, and the sync reads issues only' };
  if (config.state !== 'all' && issue.state !== config.state) return { kind: 'out-of-scope', reason: `state ${issue.state}, and the sync reads ${config.state} issues only` };
  const parents = new ParentResolver(ctx.http, ctx.repoUrl, ctx.origin);
  const [comments, parent, events] = await Promise.all([issueComments(ctx, issue), parents.resolve(issue, ctx.signal), history ? history(issue) : null]);
  const record: GithubRecord = { issue, comments, parent_external_id: parent, ...(events ? { history: events } : {}) };
  return { kind: 'found', record };
}
