/**
 * One paged list belonging to an issue (its notes, its resource events), read to its end by the
 * kit walker: `null` when the issue answers 404 (deleted or moved since it was listed).
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import { collectPages, type Listing } from '../kit/walker.js';
import { intHeader, nextPageUrl } from './links.js';

export interface IssueListContext {
  http: SourceHttp;
  instanceOrigin: string;
  signal: AbortSignal;
}

/** `what` names the list in errors ("notes of issue #7"); records are told apart by their `id`. */
export async function collectIssueList<T extends { id: number }>(lc: IssueListContext, first: string, what: string): Promise<T[] | null> {
  let gone = false;
  const listing: Listing<string, T> = {
    what: `GitLab ${what}`,
    cursorName: 'next link',
    cursorKey: (url) => url,
    recordKey: (record) => String(record.id),
    fetch: async (url, signal) => {
      const res = await lc.http.get<T[]>(url, { signal, allowStatus: [404] });
      if (res.status === 404) {
        gone = true;
        return { records: [], next: null };
      }
      if (!Array.isArray(res.body)) {
        throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab answered the ${what} with something other than an array`, res.status);
      }
      return { records: res.body, next: res.body.length > 0 ? nextPageUrl(res, lc.instanceOrigin) : null, total: intHeader(res, 'x-total') };
    },
  };
  const records = await collectPages(listing, first, lc.signal);
  return gone ? null : records;
}
