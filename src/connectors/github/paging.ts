/**
 * A GitHub list endpoint as a kit Listing, paged by its Link header [G2]. The cursor is the
 * verbatim URL of a page (links may switch to /repositories/{id}/…). When a response names
 * rel="last", the pages up to it are known and planned, so the walker requests them a window
 * ahead; after the last planned page `next` is followed again, which picks up items created
 * while the walk ran.
 */
import { SourceError } from '../../errors.js';
import { MAX_PLANNED, type Fetched, type Listing } from '../kit/walker.js';
import type { SourceHttp } from '../../outbound/types.js';
import { parseLinkHeader } from '../../outbound/link-header.js';

export interface ListOptions<T> {
  /** Names the list in errors, e.g. "GitHub issues of acme/app". */
  what: string;
  /** Links must stay on this origin: credentials are never sent elsewhere. */
  origin: string;
  /** Pages requested ahead when rel="last" plans them. */
  window: number;
  recordKey(record: T): string;
  /** Statuses read as the end of an empty list instead of failing (e.g. a deleted issue's 410). */
  missing?: number[];
  /** No page after this page number is requested, whatever the links say (a hard cap on the walk). */
  lastPage?: number;
}

/** What a fetched page tells beyond its records. */
export interface GithubPageInfo {
  /** Page number named by rel="last" (null on the last page or when GitHub could not tell). */
  lastPage: number | null;
}

const PAGE_PARAM = /([?&])page=(\d+)(?=&|$)/;

export function pageNumberOf(url: string): number | null {
  const m = PAGE_PARAM.exec(url);
  return m ? Number(m[2]) : null;
}

/** A URL with its query: the first request of a list, in the same form as the links that follow. */
export function listUrl(base: string, query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.append(k, String(v));
  return `${base}?${q.toString()}`;
}

/** URLs of pages next..last (at most MAX_PLANNED after next), templated on the last link so every other parameter stays verbatim. */
export function plannedUrls(next: string, last: string | undefined): string[] {
  const from = pageNumberOf(next);
  const lastNo = last ? pageNumberOf(last) : null;
  if (from === null || lastNo === null || !last || lastNo < from) return [];
  const at = (n: number) => last.replace(PAGE_PARAM, `$1page=${n}`);
  if (at(from) !== next) return [];
  const to = Math.min(lastNo, from + MAX_PLANNED); // next plus the most the walker takes
  return Array.from({ length: to - from + 1 }, (_, i) => at(from + i));
}

export type GithubPage<T> = Fetched<string, T> & GithubPageInfo;
export type GithubListing<T> = Omit<Listing<string, T>, 'fetch'> & { fetch(url: string, signal: AbortSignal): Promise<GithubPage<T>> };

export function githubList<T>(http: SourceHttp, opts: ListOptions<T>): GithubListing<T> {
  return {
    what: opts.what,
    cursorName: 'next link',
    window: opts.window,
    cursorKey: (url) => url,
    recordKey: opts.recordKey,
    fetch: (url, signal) => fetchPage(http, url, signal, opts),
  };
}

async function fetchPage<T>(http: SourceHttp, url: string, signal: AbortSignal, opts: ListOptions<T>): Promise<GithubPage<T>> {
  const res = await http.get<T[]>(url, { signal, allowStatus: opts.missing });
  if (opts.missing?.includes(res.status)) return { records: [], next: null, lastPage: null };
  if (!Array.isArray(res.body)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `GitHub answered ${new URL(res.url).pathname} with no list`, res.status);
  }
  const links = parseLinkHeader(res.headers['link']);
  for (const link of [links['next'], links['last']]) {
    if (link !== undefined && new URL(link).origin !== opts.origin) {
      throw new SourceError('SOURCE_RESPONSE_INVALID', 'GitHub Link header points to another host', res.status);
    }
  }
  const lastPage = links['last'] ? pageNumberOf(links['last']) : null;
  const number = pageNumberOf(res.url) ?? 1;
  if (!links['next'] || (opts.lastPage !== undefined && number >= opts.lastPage)) return { records: res.body, next: null, lastPage };
  const planned = plannedUrls(links['next'], links['last']).slice(1);
  const capped = opts.lastPage === undefined ? planned : planned.filter((u) => (pageNumberOf(u) ?? 0) <= opts.lastPage!);
  const perPage = Math.max(res.body.length, 1);
  return { records: res.body, next: links['next'], planned: capped, total: lastPage ? lastPage * perPage : null, lastPage };
}
