/**
 * Completes the comments a search embeds. Search results carry at most a few comments per issue
 * (enhanced search: 20) with the real `total`; an issue with more gets its comments paged from
 * GET /rest/api/{3|2}/issue/{id}/comment (startAt/maxResults/total, orderBy=created), issues in
 * parallel up to a bound. An issue deleted meanwhile (404) keeps what the search embedded.
 */
import pLimit from 'p-limit';
import type { SourceHttp } from '../../outbound/types.js';
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

function needsPaging(issue: RawIssue): boolean {
  const field = issue.fields?.comment as CommentField | undefined;
  if (field === undefined || field === null || !Array.isArray(field.comments)) return false;
  return typeof field.total === 'number' && field.total > field.comments.length;
}

async function allComments(http: SourceHttp, path: string, signal: AbortSignal): Promise<unknown[] | null> {
  const out: unknown[] = [];
  for (;;) {
    const res = await http.get<PageOfComments>(path, {
      query: { startAt: out.length, maxResults: PAGE, orderBy: 'created' },
      signal,
      allowStatus: [404],
    });
    if (res.status === 404) return null;
    const page = Array.isArray(res.body?.comments) ? res.body.comments : [];
    out.push(...page);
    const total = typeof res.body?.total === 'number' ? res.body.total : out.length;
    if (page.length === 0 || out.length >= total) return out;
  }
}

export async function completeComments(
  http: SourceHttp,
  flavor: JiraFlavor,
  issues: RawIssue[],
  signal: AbortSignal,
  concurrency: number,
): Promise<void> {
  const limit = pLimit(concurrency);
  const version = flavor === 'cloud' ? 3 : 2;
  const tasks = Promise.all(
    issues.filter(needsPaging).map((issue) =>
      limit(async () => {
        const path = `/rest/api/${version}/issue/${encodeURIComponent(String(issue.id))}/comment`;
        const comments = await allComments(http, path, signal);
        if (comments !== null && issue.fields) {
          issue.fields.comment = { comments, maxResults: comments.length, total: comments.length, startAt: 0 };
        }
      }),
    ),
  );
  // After the first failure nothing queued may still go out to the source.
  await tasks.catch((err: unknown) => {
    limit.clearQueue();
    throw err;
  });
}
