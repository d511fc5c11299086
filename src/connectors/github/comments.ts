/**
 * Where an issue's comments come from. Two ways, chosen by request count once the first page of
 * issues and the first page of repository comments are in:
 * - bulk: the repository-wide list (GET /repos/{o}/{r}/issues/comments, 100 a request, PR
 *   conversation comments included) read completely, then grouped by the number at the end of
 *   each comment's `issue_url`. Costs one request per 100 comments of the whole repository.
 * - per issue: GET /repos/{o}/{r}/issues/{n}/comments only for issues whose `comments` count is
 *   above 0. Costs about one request per commented issue in scope — far cheaper when an
 *   incremental run touches a few issues of a large repository.
 * `since` is never applied to comments: it filters by the comment's update time, so it would
 * hand back only the new comments of a changed issue and the stored item would lose the rest.
 */
import type { RawComment, RawIssue } from './normalize.js';
import { issueNumberFromUrl } from './normalize.js';
import type { ListPage, WalkOptions } from './paging.js';
import { walkList } from './paging.js';
import type { SourceHttp } from '../../outbound/types.js';

export interface CommentPlan {
  readonly kind: 'bulk' | 'per-issue';
  commentsFor(issue: RawIssue): Promise<RawComment[]>;
}

const PER_PAGE = 100;

export class CommentPlanner {
  private readonly bulk: AsyncGenerator<ListPage<RawComment>>;
  private readonly firstBulkPage: Promise<IteratorResult<ListPage<RawComment>>>;

  constructor(
    private readonly http: SourceHttp,
    private readonly repoUrl: string,
    private readonly walk: Omit<WalkOptions, 'query'>,
  ) {
    this.bulk = walkList<RawComment>(http, `${repoUrl}/issues/comments`, {
      ...walk,
      eager: false, // nothing beyond the first page until choose() decides for bulk
      query: { sort: 'created', direction: 'asc', per_page: PER_PAGE },
    });
    // Started now so that it travels together with the first page of issues.
    this.firstBulkPage = this.bulk.next();
    this.firstBulkPage.catch(() => undefined);
  }

  /**
   * @param firstIssues the in-scope issues of the first issue page
   * @param issuePagesLeft pages of issues expected from here on, this one included
   */
  async choose(firstIssues: RawIssue[], issuePagesLeft: number): Promise<CommentPlan> {
    const first = await this.firstBulkPage;
    const firstPage = first.done ? null : first.value;
    const bulkPagesLeft = firstPage?.next ? (firstPage.lastPage ?? Infinity) - 1 : 0;
    const perIssueNow = firstIssues.reduce((n, i) => n + Math.ceil((i.comments ?? 0) / PER_PAGE), 0);
    if (bulkPagesLeft <= perIssueNow * issuePagesLeft) return this.bulkPlan(firstPage);
    await this.bulk.return(undefined);
    return { kind: 'per-issue', commentsFor: (issue) => this.issueComments(issue) };
  }

  private bulkPlan(firstPage: ListPage<RawComment> | null): CommentPlan {
    const byIssue = new Map<number, RawComment[]>();
    const add = (comments: RawComment[]) => {
      for (const c of comments) {
        const n = issueNumberFromUrl(c.issue_url);
        if (n === null) continue;
        const list = byIssue.get(n);
        if (list) list.push(c);
        else byIssue.set(n, [c]);
      }
    };
    const done = (async () => {
      if (firstPage) add(firstPage.items);
      for await (const page of this.bulk) add(page.items);
      return byIssue;
    })();
    done.catch(() => undefined);
    return { kind: 'bulk', commentsFor: async (issue) => (await done).get(issue.number) ?? [] };
  }

  /** An issue deleted (410) or transferred (404) since it was listed has no comments here: it is not the job's failure. */
  private async issueComments(issue: RawIssue): Promise<RawComment[]> {
    if (!issue.comments) return [];
    const out: RawComment[] = [];
    const pages = walkList<RawComment>(this.http, `${this.repoUrl}/issues/${issue.number}/comments`, {
      ...this.walk,
      window: 1,
      query: { per_page: PER_PAGE },
      missing: [404, 410],
    });
    for await (const page of pages) out.push(...page.items);
    return out;
  }
}
