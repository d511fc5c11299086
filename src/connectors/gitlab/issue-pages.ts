/**
 * The issue list of one project, page after page, in a stable order (created_at asc, id).
 *
 * Which paging: the first request asks for keyset paging. GitLab ≥ 18.3 answers with a
 * `Link: rel="next"` cursor, which stays correct while issues are created, closed or deleted
 * during the import and is what GitLab recommends for large collections; the next page is
 * requested as soon as a page arrives, so the list runs ahead of the notes. Older servers
 * ignore the parameter (or refuse it with 405, 501 on 13.0-13.1) and answer with offset paging: with
 * `x-total-pages` the remaining pages are fetched in parallel; without totals (over 10,000
 * matches) the rel="next" link / x-next-page is followed.
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp, SourceResponse } from '../../outbound/types.js';
import type { GitLabCursor } from './cursor.js';
import { intHeader, nextPageUrl } from './links.js';
import type { GitLabIssue } from './types.js';

export interface ListPage {
  issues: GitLabIssue[];
  /** resume point after this page; null after the last one */
  cursor: GitLabCursor | null;
  /** x-total when GitLab sent it */
  total: number | null;
}

export interface ListContext {
  http: SourceHttp;
  issuesUrl: string;
  instanceOrigin: string;
  /** filters and order, without paging parameters */
  query: Record<string, string>;
  perPage: number;
  signal: AbortSignal;
  /** offset pages fetched at once */
  window: number;
}

type Res = SourceResponse<GitLabIssue[]>;

/** "Keyset pagination is not yet available for this type of request": 405, or 501 on GitLab 13.0-13.1. */
const KEYSET_REFUSED = [405, 501];

export async function* listIssuePages(lc: ListContext, cursor: GitLabCursor | null): AsyncGenerator<ListPage> {
  if (cursor?.mode === 'link') return yield* followLinks(lc, fetchPage(lc, cursor.next));
  const startPage = cursor?.mode === 'offset' ? cursor.page + 1 : 1;
  const perPage = cursor?.mode === 'offset' ? cursor.per_page : lc.perPage;
  let first: Res | null = null;
  if (!cursor) {
    const q = { ...lc.query, pagination: 'keyset', per_page: String(perPage) };
    const res = await fetchPage(lc, lc.issuesUrl, q, KEYSET_REFUSED);
    if (!KEYSET_REFUSED.includes(res.status)) first = res;
  }
  first ??= await fetchPage(lc, lc.issuesUrl, { ...lc.query, page: String(startPage), per_page: String(perPage) });
  if (first.headers['x-page'] !== undefined && intHeader(first, 'x-total-pages') !== null) {
    return yield* parallelOffset(lc, first);
  }
  return yield* followLinks(lc, Promise.resolve(first));
}

/** One request at a time, but the next one leaves as soon as the current page is in. */
async function* followLinks(lc: ListContext, first: Promise<Res>): AsyncGenerator<ListPage> {
  let pending: Promise<Res> | null = first;
  while (pending) {
    const res: Res = await pending;
    const next = res.body.length > 0 ? nextPageUrl(res, lc.instanceOrigin) : null;
    pending = next ? quiet(fetchPage(lc, next)) : null;
    yield { issues: res.body, cursor: next ? { v: 1, mode: 'link', next } : null, total: intHeader(res, 'x-total') };
  }
}

/** Offset pages p+1…last in a sliding window, handed out in order. */
async function* parallelOffset(lc: ListContext, first: Res): AsyncGenerator<ListPage> {
  const lastPage = intHeader(first, 'x-total-pages')!;
  const perPage = intHeader(first, 'x-per-page') ?? lc.perPage;
  const total = intHeader(first, 'x-total');
  const inFlight = new Map<number, Promise<Res>>();
  let toStart = intHeader(first, 'x-page')! + 1;
  const refill = (): void => {
    for (; toStart <= lastPage && inFlight.size < lc.window; toStart++) {
      const q = { ...lc.query, page: String(toStart), per_page: String(perPage) };
      inFlight.set(toStart, quiet(fetchPage(lc, lc.issuesUrl, q)));
    }
  };
  let res = first;
  for (let page = intHeader(first, 'x-page')!; ; page++) {
    refill();
    const more = page < lastPage || (res.body.length > 0 && nextPageUrl(res, lc.instanceOrigin) !== null);
    yield { issues: res.body, cursor: more ? { v: 1, mode: 'offset', page, per_page: perPage } : null, total };
    if (!more) return;
    if (page >= lastPage) break;
    res = await inFlight.get(page + 1)!;
    inFlight.delete(page + 1);
  }
  // Issues created during the import went past the last page counted at the start.
  const next = nextPageUrl(res, lc.instanceOrigin);
  if (next) yield* followLinks(lc, fetchPage(lc, next));
}

async function fetchPage(lc: ListContext, url: string, query?: Record<string, string>, allow?: number[]): Promise<Res> {
  const res = await lc.http.get<GitLabIssue[]>(url, { query, signal: lc.signal, allowStatus: allow });
  if (res.status < 300 && !Array.isArray(res.body)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab answered the issue list with something other than an array (HTTP ${res.status})`, res.status);
  }
  return res;
}

/** A prefetch nobody may wait for must not become an unhandled rejection. */
export function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
