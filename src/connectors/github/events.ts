/**
 * Where an issue's events (its history) come from, in bounded memory (CONTRACT §7):
 * - bulk: the repository-wide list GET /repos/{o}/{r}/issues/events, 100 a request, newest first,
 *   each event naming its issue. Read before the first issue page is handed out (the walk goes
 *   oldest issue first, the feed newest event first: the oldest issues need the whole feed), compacted
 *   to the fields history needs and held for the job, at most `historyBulkPages` pages (policy).
 *   GitHub serves long lists only so deep ("pagination is limited for this resource": 422 past the
 *   page rel="last" names; its REST description gives no number, observed ~300 pages for this list).
 *   The read reached the end when its last page is short, or a full last page is followed by an empty
 *   one; otherwise (our cap, GitHub's cap) it covers only the issues created after its oldest event:
 *   every event of such an issue is newer than the issue, so it was read. The others are read per issue.
 * - per issue: GET /repos/{o}/{r}/issues/{n}/events, oldest first, paged to its end. One request per
 *   issue (the issue tells no event count, so none can be skipped), more past 100 events.
 * Bulk is chosen when the feed's pages to read are no more than the issues in scope (one per-issue
 * request each); a small incremental run reads per issue. A resumed job plans again (the feed is re-read).
 * An issue's events are complete when the read reached their end; partial, with the reason, when GitHub
 * stopped the paging (422), the issue vanished (404/410) or the page bound was hit.
 */
import { SourceError } from '../../errors.js';
import { parseLinkHeader } from '../../outbound/link-header.js';
import { walkPages } from '../kit/walker.js';
import type { CommentContext } from './comments.js';
import { compactEvent, type IssueHistory, type RawEvent } from './history.js';
import type { RawIssue } from './normalize.js';
import { githubList, listUrl, pageNumberOf, type GithubPage } from './paging.js';

const PER_PAGE = 100;
/** Pages of one issue's events read at most (10,000 events): a bound, not a limit met in practice. */
const ISSUE_PAGES_MAX = 100;

export interface HistoryPlan {
  readonly mode: 'bulk' | 'per-issue';
  historyFor(issue: RawIssue): Promise<IssueHistory>;
}

type FeedEvent = Record<string, unknown> & { id: number; issue?: { number?: unknown } | null };

export class HistoryPlanner {
  private readonly firstBulkPage: Promise<GithubPage<FeedEvent>>;

  /** @param bulkPages most pages of the repository-wide list held (policy historyBulkPages) */
  constructor(
    private readonly ctx: CommentContext,
    private readonly bulkPages: number,
  ) {
    const probe = this.feed().fetch(listUrl(`${ctx.repoUrl}/issues/events`, { per_page: PER_PAGE }), ctx.signal);
    probe.catch(() => undefined); // awaited by choose(), unless the walk ends first
    this.firstBulkPage = probe;
  }

  /** @param issuesInScope the run's items, as best known (per-issue reads cost one request each) */
  async choose(issuesInScope: number): Promise<HistoryPlan> {
    const perIssue: HistoryPlan = { mode: 'per-issue', historyFor: (issue) => issueHistory(this.ctx, issue) };
    const first = await this.firstBulkPage;
    const feedPages = first.next ? (first.lastPage ?? Infinity) : 1;
    const toRead = Math.min(feedPages, this.bulkPages);
    if (toRead > Math.max(1, issuesInScope)) return perIssue;
    const held = await this.readBulk(first, toRead, feedPages);
    return {
      mode: 'bulk',
      historyFor: async (issue) => {
        const created = Date.parse(issue.created_at ?? '');
        if (held.coveredAfter !== null && !(created > held.coveredAfter)) return issueHistory(this.ctx, issue);
        return { events: held.byIssue.get(issue.number) ?? [], partial: null };
      },
    };
  }

  private async readBulk(first: GithubPage<FeedEvent>, toRead: number, feedPages: number): Promise<{ byIssue: Map<number, RawEvent[]>; coveredAfter: number | null }> {
    const byIssue = new Map<number, RawEvent[]>();
    let oldest = Infinity;
    let lastCount = 0;
    const add = (records: FeedEvent[]) => {
      lastCount = records.length;
      for (const raw of records) {
        const at = Date.parse(String(raw['created_at'] ?? ''));
        if (at < oldest) oldest = at;
        const n = raw.issue?.number;
        const e = typeof n === 'number' ? compactEvent(raw) : null;
        if (!e) continue;
        const list = byIssue.get(n as number);
        if (list) list.push(e);
        else byIssue.set(n as number, [e]);
      }
    };
    add(first.records);
    let pagesRead = 1;
    if (first.next && toRead > 1) {
      for await (const page of walkPages(this.feed(toRead), first.next, this.ctx.signal)) {
        add(page.records);
        pagesRead++;
      }
    }
    const ended = toRead >= feedPages && (await this.feedEnded(lastCount, pagesRead));
    return { byIssue, coveredAfter: ended ? null : oldest };
  }

  /**
   * Whether the feed has nothing past the pages read: a short last page ends it; a full one is
   * followed by one more request (GitHub's capped rel="last" looks like the end): [] ends it, 422 or
   * more events do not.
   */
  private async feedEnded(lastCount: number, pagesRead: number): Promise<boolean> {
    if (lastCount < PER_PAGE) return true;
    const res = await this.ctx.http.get<unknown[]>(listUrl(`${this.ctx.repoUrl}/issues/events`, { per_page: PER_PAGE, page: pagesRead + 1 }), {
      signal: this.ctx.signal, allowStatus: [422],
    });
    return res.status === 200 && Array.isArray(res.body) && res.body.length === 0;
  }

  private feed(lastPage?: number) {
    return githubList<FeedEvent>(this.ctx.http, {
      what: `GitHub issue events of ${this.ctx.project}`, origin: this.ctx.origin, window: this.ctx.window,
      recordKey: (e) => String(e.id), lastPage,
    });
  }
}

/** One issue's events to their end, or as far as GitHub serves them (partial, saying why). */
export async function issueHistory(ctx: CommentContext, issue: RawIssue): Promise<IssueHistory> {
  const what = `GitHub events of ${ctx.project}#${issue.number}`;
  const events: RawEvent[] = [];
  let read = 0;
  let url: string | null = listUrl(`${ctx.repoUrl}/issues/${issue.number}/events`, { per_page: PER_PAGE });
  let page = 1;
  for (let i = 0; url !== null; i++) {
    if (i >= ISSUE_PAGES_MAX) return { events, partial: `${read} events read: stopped after ${ISSUE_PAGES_MAX} pages of the issue's events` };
    const res: { status: number; body: unknown; headers: Record<string, string> } = await ctx.http.get<unknown>(url, { signal: ctx.signal, allowStatus: [404, 410, 422] });
    if (res.status === 404 || res.status === 410) return { events, partial: `GitHub answered ${res.status} for the issue's events (deleted or moved during the run)` };
    if (res.status === 422) return { events, partial: `${read} events read: GitHub limits paging of the issue's events (422 past page ${page - 1})` };
    if (!Array.isArray(res.body)) throw new SourceError('SOURCE_RESPONSE_INVALID', `${what}: the answer is no list`, res.status);
    read += res.body.length;
    for (const raw of res.body as Record<string, unknown>[]) {
      const e = compactEvent(raw);
      if (e) events.push(e);
    }
    const next: string | undefined = parseLinkHeader(res.headers['link'])['next'];
    if (next === undefined) {
      // A full page without a next link may be GitHub's capped rel="last": ask once more.
      if (res.body.length < PER_PAGE) return { events, partial: null };
      page++;
      url = listUrl(`${ctx.repoUrl}/issues/${issue.number}/events`, { per_page: PER_PAGE, page });
    } else {
      if (new URL(next).origin !== ctx.origin) throw new SourceError('SOURCE_RESPONSE_INVALID', 'GitHub Link header points to another host', res.status);
      const number = pageNumberOf(next) ?? 0;
      if (number <= page) throw new SourceError('SOURCE_RESPONSE_INVALID', `${what}: the next link does not advance`, res.status);
      page = number;
      url = next;
    }
  }
  return { events, partial: null };
}
