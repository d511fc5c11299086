/**
 * GitHub issues of one repository as a Connector: issues in creation order (stable offset
 * paging: new issues only append), pull requests dropped unless asked for, each yielded page
 * carrying its issues' complete comments (in an incremental run with the store at hand: those
 * changed since plus the stored rest, see comments.ts) and resolved parents, and a cursor meaning "everything
 * up to this page is done" (the verbatim URL of the next page).
 */
import { setMaxListeners } from 'node:events';
import type { Connector, ConnectorContext, FetchOneResult, PageOptions, SourcePage, StoredItems } from '../connector.js';
import { fetchGithubIssue } from './fetch-one.js';
import { prepareAhead } from '../kit/ahead.js';
import { walkPages, type WalkedPage } from '../kit/walker.js';
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import { CommentPlanner, type CommentMode, type CommentPlan, type IssueComments } from './comments.js';
import type { GithubConfig } from './config.js';
import type { GithubRecord, RawIssue } from './normalize.js';
import { identifyGithub, isPullRequest, normalizeGithub } from './normalize.js';
import { githubList, listUrl, pageNumberOf } from './paging.js';
import { ParentResolver } from './parents.js';
import { createGithubClassify, createGithubRateLimit } from './rate-limit.js';
import type { Policy } from '../../policy.js';
import { settledByCreation } from '../kit/settled.js';
import type { Attachment } from '../item-depth.js';
import { uploadUrl, webOrigin } from './attachments.js';
import { HistoryPlanner, issueHistory, type HistoryPlan } from './events.js';

const GITHUB_API_VERSION = '2022-11-28';
const USER_AGENT = 'integration-service';

/** GitHub documents `since` as YYYY-MM-DDTHH:MM:SSZ; dropping milliseconds only widens the window. */
function githubTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class GithubConnector implements Connector {
  readonly http: SourceHttp;
  private readonly search: SourceHttp;
  /** Uploads: the web host (github.com or the GHES host) with the token; its redirects to signed URLs go without. */
  private readonly web: SourceHttp;
  private readonly webOrigin: string;
  private readonly repoUrl: string;
  private readonly origin: string;
  private readonly project: string;
  private readonly tuning: Policy['sources']['github'];

  constructor(
    private readonly config: GithubConfig,
    ctx: ConnectorContext,
  ) {
    this.tuning = ctx.policy.github;
    this.project = `${config.owner}/${config.repo}`;
    this.repoUrl = `${config.baseUrl}/repos/${config.owner}/${config.repo}`;
    this.origin = new URL(config.baseUrl).origin;
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'user-agent': USER_AGENT,
      'x-github-api-version': GITHUB_API_VERSION,
    };
    if (config.token) headers['authorization'] = `Bearer ${config.token}`;
    const client = {
      source: 'GitHub',
      baseUrl: config.baseUrl,
      headers,
      classify: createGithubClassify(this.project, config.token !== null),
    };
    this.http = ctx.http({ ...client, rateLimit: createGithubRateLimit(this.tuning.secondaryBackoff), concurrency: this.tuning.concurrency });
    // The search API has its own small budget (30/min): its own client (and its own count of secondary
    // limits), so a search limit never pauses or lengthens the issue paging's waits, and it never waits —
    // a count it cannot give now is simply unknown.
    this.search = ctx.http({ ...client, rateLimit: createGithubRateLimit(this.tuning.secondaryBackoff), concurrency: 1, maxWaitMs: 0 });
    this.webOrigin = webOrigin(config.baseUrl);
    this.web = ctx.http({ ...client, baseUrl: this.webOrigin, rateLimit: createGithubRateLimit(this.tuning.secondaryBackoff), concurrency: this.tuning.concurrency });
  }

  /**
   * Reads the repository (checks token and access: 401/404 fail here), then asks the search API
   * for the number of issues — the issues list has no total. The search index can lag or skip
   * hidden items, so this is an estimate; null when search is unavailable (e.g. disabled on GHES).
   */
  async count(opts: { since: Date | null; signal: AbortSignal }): Promise<number | null> {
    await this.http.get(this.repoUrl, { signal: opts.signal });
    // Search refuses (422) a query naming neither is:issue nor is:pull-request, and both together mean
    // AND: pull requests are counted by a second query.
    const kinds = this.config.includePullRequests ? ['is:issue', 'is:pull-request'] : ['is:issue'];
    let total = 0;
    for (const kind of kinds) {
      const n = await this.searchCount(kind, opts);
      if (n === null) return null;
      total += n;
    }
    return total;
  }

  private async searchCount(kind: string, opts: { since: Date | null; signal: AbortSignal }): Promise<number | null> {
    const terms = [`repo:${this.project}`, kind];
    if (this.config.state !== 'all') terms.push(`state:${this.config.state}`);
    if (opts.since) terms.push(`updated:>=${githubTimestamp(opts.since)}`);
    try {
      const res = await this.search.get<{ total_count?: unknown }>(`${this.config.baseUrl}/search/issues`, {
        signal: opts.signal,
        query: { q: terms.join(' '), per_page: 1 },
        allowStatus: [422],
      });
      return res.status === 200 && typeof res.body.total_count === 'number' ? res.body.total_count : null;
    } catch (err) {
      if (err instanceof SourceError && ['SOURCE_UNAVAILABLE', 'SOURCE_NOT_FOUND', 'SOURCE_RATE_LIMITED'].includes(err.code)) return null;
      throw err;
    }
  }

  async *pages(opts: PageOptions): AsyncGenerator<SourcePage> {
    // Everything started for this walk (prefetched pages, comments) stops with it.
    const stop = new AbortController();
    const signal = AbortSignal.any([opts.signal, stop.signal]);
    setMaxListeners(0, signal); // every queued comments request of the pages in preparation listens on it
    const resume = opts.cursor ? this.decodeCursor(opts.cursor) : null;
    const requested = Math.min(100, Math.max(1, opts.batchSize));
    const start = resume?.next ?? listUrl(`${this.repoUrl}/issues`, {
      state: this.config.state, per_page: requested, sort: 'created', direction: 'asc', since: opts.since ? githubTimestamp(opts.since) : undefined,
    });
    const listing = githubList<RawIssue>(this.http, { what: `GitHub issues of ${this.project}`, origin: this.origin, window: this.tuning.window, recordKey: (i) => String(i.id) });
    const ctx = { http: this.http, repoUrl: this.repoUrl, project: this.project, origin: this.origin, window: this.tuning.window, bulkPages: this.tuning.bulkCommentPages, signal };
    // Only the comments changed since `since`, merged into the stored ones, when the store can be read.
    const changedSince = opts.since && opts.stored ? githubTimestamp(opts.since) : null;
    const planner = opts.includeComments ? new CommentPlanner(ctx, resume?.comments ?? null, changedSince) : null;
    const history = opts.includeHistory ? new HistoryPlanner(ctx, this.tuning.historyBulkPages) : null;
    const tally = new Tally(resume ? (pageNumberOf(resume.next) ?? 1) : 1, perPageOf(resume?.next ?? null) ?? requested);
    try {
      for await (const page of prepareAhead(walkPages(listing, start, signal), this.preparer({ planner, history, includeComments: opts.includeComments }, tally, opts.stored ?? null, signal), this.tuning.pagesAhead)) {
        opts.signal.throwIfAborted(); // a prepared page is not handed out after a cancel
        if (page.records.length > 0) yield page;
      }
    } finally {
      stop.abort(new Error('GitHub page walk ended'));
    }
  }

  /** Turns a page of the issue list into a SourcePage: the issues in scope, each with its comments and parent. */
  private preparer(
    reads: { planner: CommentPlanner | null; history: HistoryPlanner | null; includeComments: boolean },
    tally: Tally, stored: StoredItems | null, signal: AbortSignal,
  ) {
    const { planner } = reads;
    const parents = new ParentResolver(this.http, this.repoUrl, this.origin, stored && ((keys) => stored.idsByKey(this.project, keys)));
    let plan: Promise<CommentPlan> | null = null;
    let historyPlan: Promise<HistoryPlan> | null = null;
    return async (page: WalkedPage<string, RawIssue>): Promise<SourcePage> => {
      // Before the first await: pages arrive here in order.
      const inScope = page.records.filter((i) => this.config.includePullRequests || !isPullRequest(i));
      parents.learn(page.records);
      const total = tally.add(page, inScope.length);
      plan ??= planner ? planner.choose(inScope, tally.pagesLeft(page)) : null;
      // per-issue history costs one request per issue in scope: the estimate, else this page's share of the pages left
      historyPlan ??= reads.history ? reads.history.choose(total ?? inScope.length * tally.pagesLeft(page)) : null;
      const [comments, history] = await Promise.all([plan, historyPlan, parents.learnStored(inScope)]);
      const earlier = comments?.mode === 'changed' && stored ? await stored.comments(inScope.map((i) => String(i.id))) : null;
      const records: GithubRecord[] = await Promise.all(
        inScope.map(async (issue) => {
          const none: IssueComments = { comments: [] };
          const [read, events, parent] = await Promise.all([
            comments ? comments.commentsFor(issue, earlier?.get(String(issue.id))) : none,
            history ? history.historyFor(issue) : null,
            parents.resolve(issue, signal),
          ]);
          return {
            issue,
            comments: read.comments,
            ...(read.earlier ? { earlier_comments: read.earlier } : {}),
            parent_external_id: parent,
            ...(reads.includeComments ? {} : { comments_read: false }),
            ...(events ? { history: events } : {}),
            web_origin: this.webOrigin,
          };
        }),
      );
      const cursor = page.next ? JSON.stringify({ next: page.next, ...(comments ? { comments: comments.mode } : {}) }) : null;
      // Listed by creation time (sort=created): see kit/settled.ts.
      return { records, cursor, total, settledBefore: settledByCreation(page.records.map((i) => i.created_at)) };
    };
  }

  async fetchOne(ref: string, opts: { signal: AbortSignal; includeHistory?: boolean }): Promise<FetchOneResult> {
    const ctx = { http: this.http, repoUrl: this.repoUrl, project: this.project, origin: this.origin, window: this.tuning.window, bulkPages: this.tuning.bulkCommentPages, signal: opts.signal };
    const found = await fetchGithubIssue(ctx, this.config, ref, opts.includeHistory ? (issue) => issueHistory(ctx, issue) : null);
    if (found.kind !== 'found') return found;
    return { kind: 'found', record: { ...(found.record as GithubRecord), web_origin: this.webOrigin } };
  }

  /**
   * An upload's bytes: GET on the web host with the token (a private repository's uploads need it),
   * which answers with a redirect to a short-lived signed URL on another host; the HTTP layer follows
   * it without the credentials. Only URLs this connector lists as uploads are read.
   */
  async attachmentContent(att: Attachment, opts: { signal: AbortSignal; maxBytes: number }): Promise<{ bytes: Buffer; media_type: string | null }> {
    if (!att.source_url || !uploadUrl(att.source_url, this.webOrigin)) {
      throw new SourceError('SOURCE_RESPONSE_INVALID', 'GitHub attachment has no upload URL this source reads');
    }
    const res = await this.web.get<Buffer>(att.source_url, { signal: opts.signal, responseType: 'bytes', maxBytes: opts.maxBytes });
    const type = res.headers['content-type']?.split(';')[0]?.trim();
    return { bytes: res.body, media_type: type ? type : null };
  }

  normalize(raw: unknown) {
    return normalizeGithub(raw, this.project);
  }

  identify(raw: unknown) {
    return identifyGithub(raw);
  }

  private decodeCursor(cursor: string): { next: string; comments: CommentMode | null } {
    const c = JSON.parse(cursor) as { next?: unknown; comments?: unknown };
    if (typeof c.next !== 'string' || new URL(c.next).origin !== this.origin) {
      throw new Error('GitHub cursor does not belong to this source');
    }
    return { next: c.next, comments: c.comments === 'bulk' || c.comments === 'per-issue' || c.comments === 'changed' ? c.comments : null };
  }
}

function perPageOf(url: string | null): number | null {
  const m = /[?&]per_page=(\d+)/.exec(url ?? '');
  return m ? Number(m[1]) : null;
}

/** Estimates the items in scope from the page count and the share of pull requests seen so far. */
class Tally {
  private inScope = 0;
  private listed = 0;

  constructor(
    private readonly firstPage: number,
    private readonly perPage: number,
  ) {}

  add(page: WalkedPage<string, unknown>, inScope: number): number | null {
    this.inScope += inScope;
    this.listed += page.records.length;
    const share = this.listed > 0 ? this.inScope / this.listed : 1;
    const known = Math.round((this.firstPage - 1) * this.perPage * share) + this.inScope;
    if (!page.next) return known;
    if (page.total === null) return null;
    return Math.max(known, Math.round(page.total * share));
  }

  /** Pages of the list from this one to the last (the walker's total is rel="last" × page size). */
  pagesLeft(page: WalkedPage<string, unknown>): number {
    const here = page.next ? (pageNumberOf(page.next) ?? 2) - 1 : 1;
    return page.total === null ? 1 : Math.max(1, Math.ceil(page.total / this.perPage) - here + 1);
  }
}
