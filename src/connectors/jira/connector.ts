/**
 * The Jira connector: Cloud (REST v3, email + API token as Basic) or Data Center (REST v2,
 * personal access token as Bearer), chosen by the credential kind. Pages come from search.ts in
 * id order; while one page's long comment threads are fetched (comments.ts), the next page is
 * already being searched. Each page's cursor resumes right after it.
 */
import type { Connector, ConnectorContext, PageOptions, SourcePage } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import { baseUrlOf, flavorOf, type JiraConfig } from './config.js';
import { completeComments } from './comments.js';
import { decodeCursor, encodeCursor, type JiraCursor } from './cursor.js';
import { baseJql, scopeClause } from './jql.js';
import { identifyIssue, normalizeIssue } from './normalize.js';
import { countIssues, searchPage, type SearchPage } from './search.js';
import { classify, rateLimit, rejectingFailedLogins } from './signals.js';

/** What normalize reads, plus what an importer would want to keep in `raw`. */
export const ISSUE_FIELDS = [
  'summary', 'description', 'status', 'priority', 'issuetype', 'project', 'assignee', 'reporter', 'labels',
  'parent', 'attachment', 'created', 'updated', 'resolutiondate', 'resolution', 'components', 'fixVersions', 'duedate',
];

/** Parallel comment threads per page; the HTTP layer bounds requests per host on top of this. */
const COMMENT_CONCURRENCY = 4;

export function authHeader(config: JiraConfig): string {
  if (config.personal_access_token !== undefined) return `Bearer ${config.personal_access_token}`;
  return `Basic ${Buffer.from(`${config.email ?? ''}:${config.api_token ?? ''}`).toString('base64')}`;
}

export function createJiraConnector(config: JiraConfig, ctx: ConnectorContext): Connector {
  const flavor = flavorOf(config);
  const baseUrl = baseUrlOf(config);
  const scope = scopeClause(config);
  const http: SourceHttp = rejectingFailedLogins(ctx.http({
    source: 'Jira',
    baseUrl,
    headers: { Authorization: authHeader(config), Accept: 'application/json' },
    rateLimit,
    classify,
  }));
  const normalizeCtx = { baseUrl, project: config.project_key ?? null };

  async function* pages(opts: PageOptions): AsyncGenerator<SourcePage> {
    opts.signal.throwIfAborted(); // an 'abort' listener added now would never fire
    const first: JiraCursor = opts.cursor !== null
      ? decodeCursor(opts.cursor)
      : { scope, after: null, token: null, tokenJql: null, tokenAt: null, n: 0 };
    const inner = new AbortController();
    const onAbort = (): void => inner.abort(opts.signal.reason);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const req = {
      http,
      since: opts.since,
      fields: opts.includeComments ? [...ISSUE_FIELDS, 'comment'] : ISSUE_FIELDS,
      maxResults: opts.batchSize,
      signal: inner.signal,
    };
    const guard = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => undefined); // observed when awaited; guards a prefetch abandoned by an early return
      return p;
    };
    // Cloud search pages carry no total: the approximate count is the estimate until the last page.
    const estimate = flavor === 'cloud' ? guard(countIssues(flavor, http, baseJql(first.scope, opts.since), inner.signal).catch(() => null)) : null;
    let pending: Promise<SearchPage> | null = guard(searchPage(flavor, first, req));
    let delivered = first.n;
    try {
      while (pending !== null) {
        opts.signal.throwIfAborted();
        const page: SearchPage = await pending;
        pending = page.next === null ? null : guard(searchPage(flavor, page.next, req));
        if (opts.includeComments) await completeComments(http, flavor, page.issues, inner.signal, COMMENT_CONCURRENCY);
        delivered += page.issues.length;
        const counted = estimate === null ? null : await estimate;
        yield {
          records: page.issues,
          cursor: page.next === null ? null : encodeCursor(page.next),
          total:
            page.next === null ? delivered
            : page.remaining !== null ? delivered + page.remaining
            : counted === null ? null : Math.max(counted, delivered),
        };
      }
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      inner.abort(new Error('Jira paging stopped'));
    }
  }

  return {
    count: ({ since, signal }) => countIssues(flavor, http, baseJql(scope, since), signal),
    pages,
    normalize: (raw) => normalizeIssue(raw, normalizeCtx),
    identify: identifyIssue,
  };
}
