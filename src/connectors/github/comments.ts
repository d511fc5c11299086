/**
 * Where an issue's comments come from, in memory that does not grow with the repository
 * (CONTRACT §7). Two ways:
 * - bulk: the repository-wide list (GET /repos/{o}/{r}/issues/comments, 100 a request, PR
 *   conversation comments included), grouped by the number at the end of each `issue_url`.
 *   One request per 100 comments of the whole repository — but that list is ordered by comment
 *   time, not by issue: an issue's comments can sit anywhere in it (a 2015 issue commented on
 *   today is on its last page), so no window of it is complete for one page of issues. The only
 *   way to use it in bounded memory is whole, so it is used only when the whole list is small:
 *   at most `bulkPages` pages (policy sources.github.bulkCommentPages: 100 = 10,000 comments, ~15-30 MB
 *   held) by rel="last" of its first page, read before
 *   the first issue page is handed out and held for the job. Pages past the cap are never read.
 * - per issue: GET /repos/{o}/{r}/issues/{n}/comments for the in-scope issues of the page at
 *   hand whose `comments` count is above 0. One request per commented issue (more past 100
 *   comments); at most the pages in preparation are held.
 * The planner takes bulk when the list is within the cap and costs no more requests than per
 * issue would for the issue pages left; otherwise per issue. On a big repository that is per
 * issue: ~1 request per commented issue instead of ~0.01 in bulk — with 5,000 requests an hour
 * a repository with 40,000 commented issues takes about 8 hours of budget instead of 25 min;
 * the rate hand-off spreads it over as many budget windows as it needs, each resuming at the
 * checkpointed issue page, whose cursor also records the choice (a resumed per-issue job does
 * not ask the bulk list again). A bulk job that resumes re-reads at most the capped pages.
 * Either way an issue whose bulk comments fall short of its `comments` count (comments added
 * during the run, or past the cap) is read per issue, so no comment is lost.
 * - changed (incremental runs, when the store is at hand): the same repository-wide list with
 *   `since`, which holds only the comments created or edited since then: usually one request for
 *   the whole run instead of one per changed issue. Each issue gets those comments plus the ones
 *   its stored item already holds (merged by id in normalize); when that union does not count
 *   exactly the issue's `comments` (a new issue, an item never stored or stored without comments,
 *   a comment deleted since), the issue's own list is read instead, so the item is complete either
 *   way. Read in creation order, not update order: a comment edited during the walk then keeps its
 *   place instead of moving to the end and shifting an unread one onto a page already read. Held
 *   whole like bulk, so the same cap and cost rule choose it; past them it is per issue.
 */
import { collectPages, walkPages } from '../kit/walker.js';
import type { ItemComment } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { RawComment, RawIssue } from './normalize.js';
import { issueNumberFromUrl } from './normalize.js';
import { githubList, listUrl, type GithubPage } from './paging.js';

export type CommentMode = 'bulk' | 'per-issue' | 'changed';

/** An issue's comments: `comments` as read from the source, plus `earlier` (stored, unchanged ones) in 'changed' mode. */
export interface IssueComments {
  comments: RawComment[];
  earlier?: ItemComment[];
}

export interface CommentPlan {
  readonly mode: CommentMode;
  /** @param stored the issue's stored comments ('changed' mode; undefined when the item is not stored) */
  commentsFor(issue: RawIssue, stored?: ItemComment[]): Promise<IssueComments>;
}

/** Most pages of the repository-wide list held at once (100 comments each). */
const PER_PAGE = 100;

export interface CommentContext {
  http: SourceHttp;
  repoUrl: string;
  project: string;
  origin: string;
  /** Pages of one list requested ahead. */
  window: number;
  /** The repository-wide list is read (and held) only up to this many pages. */
  bulkPages: number;
  signal: AbortSignal;
}

export class CommentPlanner {
  /** The first page of the repository-wide list, asked together with the first page of issues. */
  private readonly firstBulkPage: Promise<GithubPage<RawComment>> | null = null;

  /**
   * @param resumed the way a resumed job's earlier run chose; per issue needs no look at the bulk list
   * @param since GitHub's form of the run's `since` when the stored comments can be read: 'changed' mode
   */
  constructor(
    private readonly ctx: CommentContext,
    resumed: CommentMode | null,
    private readonly since: string | null = null,
  ) {
    if (resumed === 'per-issue') return;
    const first = listUrl(`${ctx.repoUrl}/issues/comments`, { since: since ?? undefined, sort: 'created', direction: 'asc', per_page: PER_PAGE });
    const probe = this.bulkListing().fetch(first, ctx.signal);
    probe.catch(() => undefined); // awaited by choose(), unless the walk ends first
    this.firstBulkPage = probe;
  }

  /**
   * @param firstIssues the in-scope issues of the first issue page of this run
   * @param issuePagesLeft pages of issues expected from here on, this one included
   */
  async choose(firstIssues: RawIssue[], issuePagesLeft: number): Promise<CommentPlan> {
    const perIssue: CommentPlan = { mode: 'per-issue', commentsFor: async (issue) => ({ comments: await this.issueComments(issue) }) };
    if (!this.firstBulkPage) return perIssue;
    const first = await this.firstBulkPage;
    const bulkPages = first.next ? (first.lastPage ?? Infinity) : 1;
    const perIssueNow = firstIssues.reduce((n, i) => n + Math.ceil((i.comments ?? 0) / PER_PAGE), 0);
    if (bulkPages > this.ctx.bulkPages || bulkPages - 1 > perIssueNow * issuePagesLeft) return perIssue;
    const byIssue = await this.readBulk(first, bulkPages);
    if (this.since !== null) return { mode: 'changed', commentsFor: async (issue, stored) => this.merged(issue, byIssue.get(issue.number) ?? [], stored) };
    return {
      mode: 'bulk',
      commentsFor: async (issue) => {
        const held = byIssue.get(issue.number) ?? [];
        return { comments: held.length >= (issue.comments ?? 0) ? held : await this.issueComments(issue) };
      },
    };
  }

  /** The changed comments over the stored ones, when together they are exactly the issue's comments; else its own list. */
  private async merged(issue: RawIssue, listed: RawComment[], stored: ItemComment[] = []): Promise<IssueComments> {
    // A comment seen twice (the list shifted under the walk) counts once, as read last.
    const changed = new Map(listed.map((c) => [String(c.id), c]));
    const earlier = stored.filter((c) => !changed.has(c.external_id));
    if (earlier.length + changed.size === (issue.comments ?? 0)) return { comments: [...changed.values()], earlier };
    return { comments: await this.issueComments(issue) };
  }

  private async readBulk(first: GithubPage<RawComment>, lastPage: number): Promise<Map<number, RawComment[]>> {
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
    add(first.records);
    if (first.next) for await (const page of walkPages(this.bulkListing(lastPage), first.next, this.ctx.signal)) add(page.records);
    return byIssue;
  }

  private bulkListing(lastPage?: number) {
    return githubList<RawComment>(this.ctx.http, {
      what: `GitHub comments of ${this.ctx.project}`, origin: this.ctx.origin, window: this.ctx.window,
      recordKey: (c) => String(c.id), lastPage,
    });
  }

  private issueComments(issue: RawIssue): Promise<RawComment[]> {
    return issueComments(this.ctx, issue);
  }
}

/** One issue's own list. An issue deleted (410) or transferred (404) since it was listed has no comments here: it is not the job's failure. */
export async function issueComments(ctx: CommentContext, issue: RawIssue): Promise<RawComment[]> {
  if (!issue.comments) return [];
  const listing = githubList<RawComment>(ctx.http, {
    what: `GitHub comments of ${ctx.project}#${issue.number}`, origin: ctx.origin, window: ctx.window,
    recordKey: (c) => String(c.id), missing: [404, 410],
  });
  return collectPages(listing, listUrl(`${ctx.repoUrl}/issues/${issue.number}/comments`, { per_page: PER_PAGE }), ctx.signal);
}
