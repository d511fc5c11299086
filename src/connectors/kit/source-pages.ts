/**
 * A walk as the job runner sees it (connector.ts `SourcePage`): each walked page, completed
 * (comments, journal) while the walker already fetches the next one, with its resume cursor and
 * the best known total of the whole import, a resumed one included.
 */
import type { SourcePage } from '../connector.js';
import { walkPages, type Listing } from './walker.js';

export interface SourceWalk<C, R> {
  listing: Listing<C, R>;
  start: C;
  /** Records delivered before `start` by earlier runs of the job (0 for a fresh one). */
  before: number;
  encode(cursor: C): string;
  /** Adds what a record needs from other requests (its comments); the records as handed out. */
  complete?(records: R[], signal: AbortSignal): Promise<unknown[]>;
}

export async function* sourcePages<C, R>(walk: SourceWalk<C, R>, signal: AbortSignal): AsyncGenerator<SourcePage> {
  for await (const page of walkPages(walk.listing, walk.start, signal)) {
    const records = walk.complete ? await walk.complete(page.records, signal) : page.records;
    const delivered = walk.before + page.delivered;
    yield {
      records,
      cursor: page.next === null ? null : walk.encode(page.next),
      total: page.next === null ? delivered : page.total === null ? null : Math.max(page.total, delivered),
    };
  }
}
