/**
 * Completes the comments a search embeds. Search results carry at most a few comments per issue
 * (enhanced search: 20) with the real `total`; an issue with more gets its comments paged from
 * GET /rest/api/{3|2}/issue/{id}/comment (startAt/maxResults/total, orderBy=created) by the page
 * walker, issues in parallel up to a bound. The walker fails a thread whose pages repeat or run
 * far past its total. An issue deleted meanwhile (404) keeps what the search embedded.
 */
import type { SourceHttp } from '../../outbound/types.js';
import { mapBounded } from '../kit/each.js';
import { collectPages, type Fetched, type Listing } from '../kit/walker.js';
import type { JiraFlavor } from './config.js';
import type { RawIssue } from './search.js';

interface CommentField {
  comments?: unknown;
  total?: unknown;
}

interface PageOfComments {
  comments?: unknown;
  total?: unknown;
}

const PAGE = 100;

/** The issue was deleted (or hidden) after the search listed it. */
class IssueGone extends Error {}

function needsPaging(issue: RawIssue): boolean {
  const field = issue.fields?.comment as CommentField | undefined;
  if (field === undefined || field === null || !Array.isArray(field.comments)) return false;
  return typeof field.total === 'number' && field.total > field.comments.length;
}

function commentListing(http: SourceHttp, path: string, issueId: string): Listing<number, unknown> {
  return {
    what: `Jira comments of issue ${issueId}`,
    cursorName: 'startAt offset',
    fetch: async (startAt, signal): Promise<Fetched<number, unknown>> => {
      const res = await http.get<PageOfComments>(path, { query: { startAt, maxResults: PAGE, orderBy: 'created' }, signal, allowStatus: [404] });
      if (res.status === 404) throw new IssueGone();
      const comments: unknown[] = Array.isArray(res.body?.comments) ? res.body.comments : [];
      const total = typeof res.body?.total === 'number' ? res.body.total : null;
      const end = startAt + comments.length;
      return { records: comments, next: comments.length === 0 || total === null || end >= total ? null : end, total };
    },
    cursorKey: String,
    recordKey: (comment) => String((comment as { id?: unknown } | null)?.id),
  };
}

/** Every comment of one issue, oldest first; null when the issue is gone. */
async function allComments(http: SourceHttp, flavor: JiraFlavor, issueId: string, signal: AbortSignal): Promise<unknown[] | null> {
  const path = `/rest/api/${flavor === 'cloud' ? 3 : 2}/issue/${encodeURIComponent(issueId)}/comment`;
  try {
    return await collectPages(commentListing(http, path, issueId), 0, signal);
  } catch (err) {
    if (err instanceof IssueGone) return null;
    throw err;
  }
}

export async function completeComments(
  http: SourceHttp,
  flavor: JiraFlavor,
  issues: RawIssue[],
  signal: AbortSignal,
  concurrency: number,
): Promise<void> {
  await mapBounded(issues.filter(needsPaging), concurrency, signal, async (issue, inner) => {
    const comments = await allComments(http, flavor, String(issue.id), inner);
    if (comments !== null && issue.fields) {
      issue.fields.comment = { comments, maxResults: comments.length, total: comments.length, startAt: 0 };
    }
  });
}
