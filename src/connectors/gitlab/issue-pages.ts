/**
 * The issue list of one project as a kit Listing, in a stable order (created_at asc, id); the
 * cursor is the URL of a page.
 *
 * Which paging: the first request asks for keyset paging. GitLab ≥ 18.3 answers with a
 * `Link: rel="next"` cursor, which stays correct while issues are created, closed or deleted
 * during the import and is what GitLab recommends for large collections. Older servers ignore
 * the parameter (or refuse it with 405, 501 on 13.0-13.1) and answer with offset paging: with
 * `x-total-pages` the remaining pages are planned, so the walker fetches them a window ahead;
 * without totals (over 10,000 matches) the rel="next" link / x-next-page is followed. After the
 * last planned page `next` is followed again: issues created during the import.
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp, SourceResponse } from '../../outbound/types.js';
import { MAX_PLANNED, type Fetched, type Listing } from '../kit/walker.js';
import type { GitLabCursor } from './cursor.js';
import { intHeader, nextPageUrl } from './links.js';
import type { GitLabIssue } from './types.js';

export interface ListContext {
  http: SourceHttp;
  /** The project as configured, to name the list in errors. */
  project: string;
  issuesUrl: string;
  instanceOrigin: string;
  /** filters and order, without paging parameters */
  query: Record<string, string>;
  perPage: number;
  /** offset pages fetched at once */
  window: number;
}

type Res = SourceResponse<GitLabIssue[]>;

/** "Keyset pagination is not yet available for this type of request": 405, or 501 on GitLab 13.0-13.1. */
const KEYSET_REFUSED = [405, 501];

export function issueListing(lc: ListContext): Listing<string, GitLabIssue> {
  return {
    what: `GitLab issues of ${lc.project}`,
    cursorName: 'next link',
    window: lc.window,
    cursorKey: (url) => url,
    recordKey: (issue) => String(issue.id),
    fetch: (url, signal) => fetchIssues(lc, url, signal),
  };
}

/** Where a walk starts: the page after a checkpoint, or the first page asking for keyset paging. */
export function startUrl(lc: ListContext, cursor: GitLabCursor | null): string {
  if (cursor?.mode === 'link') return cursor.next;
  if (cursor?.mode === 'offset') return withQuery(lc.issuesUrl, { ...lc.query, page: String(cursor.page + 1), per_page: String(cursor.per_page) });
  return withQuery(lc.issuesUrl, { ...lc.query, pagination: 'keyset', per_page: String(lc.perPage) });
}

/**
 * The checkpoint after a page whose successor is `next`: offset pages by number (an older server
 * that ignored `pagination=keyset` repeats it in its links), keyset cursors by link.
 */
export function cursorBefore(next: string): GitLabCursor {
  const q = new URL(next).searchParams;
  const page = Number(q.get('page'));
  const perPage = Number(q.get('per_page'));
  if (!q.has('cursor') && !q.has('id_after') && Number.isInteger(page) && page > 1 && Number.isInteger(perPage) && perPage > 0) {
    return { v: 1, mode: 'offset', page: page - 1, per_page: perPage };
  }
  return { v: 1, mode: 'link', next };
}

async function fetchIssues(lc: ListContext, url: string, signal: AbortSignal): Promise<Fetched<string, GitLabIssue>> {
  const keyset = new URL(url).searchParams.get('pagination') === 'keyset';
  let res = await fetchPage(lc, url, signal, keyset ? KEYSET_REFUSED : undefined);
  if (KEYSET_REFUSED.includes(res.status)) {
    const offset = new URL(url);
    offset.searchParams.delete('pagination');
    offset.searchParams.set('page', '1');
    res = await fetchPage(lc, offset.toString(), signal);
  }
  const next = res.body.length > 0 ? nextPageUrl(res, lc.instanceOrigin) : null;
  return { records: res.body, next, planned: next ? plannedPages(res, next) : [], total: intHeader(res, 'x-total') };
}

/** Offset pages after `next` up to x-total-pages (at most MAX_PLANNED), on the next link so every other parameter stays. */
function plannedPages(res: Res, next: string): string[] {
  const lastPage = intHeader(res, 'x-total-pages');
  const from = Number(new URL(next).searchParams.get('page'));
  if (lastPage === null || res.headers['x-page'] === undefined || !Number.isInteger(from) || from < 1) return [];
  const urls: string[] = [];
  for (let p = from + 1; p <= Math.min(lastPage, from + MAX_PLANNED); p++) {
    const u = new URL(next);
    u.searchParams.set('page', String(p));
    urls.push(u.toString());
  }
  return urls;
}

function withQuery(base: string, query: Record<string, string>): string {
  return `${base}?${new URLSearchParams(query).toString()}`;
}

async function fetchPage(lc: ListContext, url: string, signal: AbortSignal, allow?: number[]): Promise<Res> {
  const res = await lc.http.get<GitLabIssue[]>(url, { signal, allowStatus: allow });
  if (res.status < 300 && !Array.isArray(res.body)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab answered the issue list with something other than an array (HTTP ${res.status})`, res.status);
  }
  return res;
}
