/**
 * Walks a GitHub list endpoint by its Link header [G2], yielding pages strictly in order.
 * Link URLs are followed verbatim (they may switch to /repositories/{id}/…). When the first
 * response names rel="last", the pages up to it are known: they are requested ahead in a
 * bounded window (the HTTP layer bounds concurrency and budget) so that the caller's work
 * overlaps the fetches; the window is filled before a page is handed out (unless `eager` is off),
 * so fetching goes on while the caller holds it. After the planned last page, `next` is followed again, which picks
 * up items created while the walk ran.
 */
import { SourceError } from '../../errors.js';
import type { RequestOptions, SourceHttp } from '../../outbound/types.js';
import { parseLinkHeader } from '../../outbound/link-header.js';

export interface ListPage<T> {
  items: T[];
  /** This page's number (1 when the URL names none). */
  number: number;
  /** The URL of the page after this one; null on the last page. */
  next: string | null;
  /** Page number named by rel="last" (null when GitHub could not tell or this is the last page). */
  lastPage: number | null;
}

export interface WalkOptions {
  signal: AbortSignal;
  /** Pages requested ahead of the one being consumed. */
  window: number;
  /** Query of the first request only; later URLs come from Link headers and carry it. */
  query?: RequestOptions['query'];
  /** Request the window ahead before handing out the first page (default true); false when the
   * caller may not want more than the first page. */
  eager?: boolean;
  /** Links must stay on this origin: credentials are never sent elsewhere. */
  origin: string;
  /** Statuses read as the end of an empty list instead of failing (e.g. a deleted issue's 410). */
  missing?: number[];
}

const PAGE_PARAM = /([?&])page=(\d+)(?=&|$)/;

export function pageNumberOf(url: string): number | null {
  const m = PAGE_PARAM.exec(url);
  return m ? Number(m[2]) : null;
}

/** URLs of pages next..last, templated on the last link so every other parameter stays verbatim. */
export function plannedUrls(next: string, last: string | undefined): string[] {
  const from = pageNumberOf(next);
  const to = last ? pageNumberOf(last) : null;
  if (from === null || to === null || !last || to < from) return [];
  const at = (n: number) => last.replace(PAGE_PARAM, `$1page=${n}`);
  if (at(from) !== next) return [];
  return Array.from({ length: to - from + 1 }, (_, i) => at(from + i));
}

export async function* walkList<T>(http: SourceHttp, firstUrl: string, opts: WalkOptions): AsyncGenerator<ListPage<T>> {
  // Our own controller so that pages still in flight stop when the caller stops early.
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);

  const fetchPage = async (url: string, query?: RequestOptions['query']) => {
    const res = await http.get<T[]>(url, { signal, query, allowStatus: opts.missing });
    if (opts.missing?.includes(res.status)) return { page: { items: [], number: 1, next: null, lastPage: null }, last: undefined };
    if (!Array.isArray(res.body)) {
      throw new SourceError('SOURCE_RESPONSE_INVALID', `GitHub answered ${new URL(res.url).pathname} with no list`, res.status);
    }
    const links = parseLinkHeader(res.headers['link']);
    for (const link of [links['next'], links['last']]) {
      if (link !== undefined && new URL(link).origin !== opts.origin) {
        throw new SourceError('SOURCE_RESPONSE_INVALID', 'GitHub Link header points to another host', res.status);
      }
    }
    return { page: { items: res.body, number: pageNumberOf(res.url) ?? 1, next: links['next'] ?? null, lastPage: links['last'] ? pageNumberOf(links['last']) : null }, last: links['last'] };
  };

  try {
    let current = await fetchPage(firstUrl, opts.query);
    while (true) {
      const { page, last } = current;
      if (!page.next) {
        yield page;
        return;
      }
      const planned = plannedUrls(page.next, last);
      if (planned.length === 0) {
        const following = fetchPage(page.next);
        following.catch(() => undefined); // awaited below; this only stops an unhandled-rejection report
        yield page;
        current = await following;
        continue;
      }
      const inflight: Promise<Awaited<ReturnType<typeof fetchPage>>>[] = [];
      let i = 0;
      const topUp = () => {
        while (inflight.length < opts.window && i < planned.length) {
          const p = fetchPage(planned[i++]!);
          p.catch(() => undefined);
          inflight.push(p);
        }
      };
      if (opts.eager !== false) topUp();
      yield page;
      topUp();
      while (inflight.length > 0) {
        current = await inflight.shift()!;
        // The end came early (items vanished) or this is the last planned page: the outer loop
        // yields it and either stops or follows its next.
        if (!current.page.next || (inflight.length === 0 && i >= planned.length)) break;
        topUp();
        yield current.page;
      }
    }
  } finally {
    stop.abort(new Error('page walk ended'));
  }
}
