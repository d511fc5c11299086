/**
 * The one page walker every connector uses (CONTRACT §7). A connector describes its listing —
 * how to fetch the page at a cursor, and what identifies a cursor and a record — and the walker
 * owns the loop: ordered prefetch (the next page is requested before the current one is handed
 * out; pages whose cursors are known in advance, e.g. numbered pages up to rel="last", are
 * requested `window` at a time), abort of everything in flight when the walk ends for any reason,
 * and the advance rules that keep a hostile or broken source from holding a job forever:
 *
 * - a next cursor that repeats one of the walk's recent cursors fails at once;
 * - three pages in a row that bring no record new to this walk fail (empty pages count too,
 *   unless the listing says empty pages are normal, as ServiceNow's ACL-filtered pages are);
 * - records beyond the declared total + 10 % + 10 pages' worth fail, and so do pages beyond
 *   total + 10 % + 10 (a flood of empty pages).
 *
 * Each failure is SOURCE_RESPONSE_INVALID naming the listing and what did not advance.
 * The HTTP layer under `fetch` bounds concurrency and keeps within the rate budget.
 */
import { createHash } from 'node:crypto';
import { SourceError } from '../../errors.js';
import { SeenKeys } from './seen.js';

export interface Fetched<C, R> {
  records: R[];
  /** Cursor of the page after this one; null when this is the last page. */
  next: C | null;
  /**
   * Cursors known to follow `next` (numbered pages up to the last one): fetched ahead, in order.
   * At most MAX_PLANNED are taken; the walk follows the last one's `next` and plans again from there.
   */
  planned?: C[];
  /** Records the source declares for the whole listing, when it says. */
  total?: number | null;
}

export interface Listing<C, R> {
  /** Names the listing in errors, e.g. "GitHub issues of acme/app". */
  what: string;
  /** What a cursor is called in errors: "next link", "page token", "keyset cursor", "page number". */
  cursorName: string;
  fetch(cursor: C, signal: AbortSignal): Promise<Fetched<C, R>>;
  cursorKey(cursor: C): string;
  recordKey(record: R): string;
  /** Pages requested ahead when their cursors are planned (default 1). */
  window?: number;
  /** Empty pages are normal and advance on their own (ServiceNow pages hidden by ACLs). */
  emptyPagesAdvance?: boolean;
}

export interface WalkedPage<C, R> {
  records: R[];
  /** Where a resumed walk starts after this page; null after the last page. */
  next: C | null;
  /** The source's declared total as last said (null when it never said). */
  total: number | null;
  /** Records handed out by this walk so far, this page included. */
  delivered: number;
}

/** Planned cursors taken from one page: a source naming page 10^9 as its last costs no memory. */
export const MAX_PLANNED = 100;
/** Consecutive pages with nothing new that fail a walk (CONTRACT §7: "after at most 3"). */
export const STALE_PAGES = 3;
/** Recent cursors remembered exactly; longer cycles are caught by the stale-pages rule. */
const RECENT_CURSORS = 1024;

type InFlight<C, R> = { cursor: C; page: Promise<Fetched<C, R>> };

export async function* walkPages<C, R>(listing: Listing<C, R>, start: C, callerSignal: AbortSignal): AsyncGenerator<WalkedPage<C, R>> {
  callerSignal.throwIfAborted();
  // Linked by hand, not AbortSignal.any: on Node 20 each any() on the job-long caller signal stays
  // attached to it, and a job walks one short listing per issue (its comments) — thousands.
  const stop = new AbortController();
  const signal = stop.signal;
  const onAbort = (): void => stop.abort(callerSignal.reason);
  callerSignal.addEventListener('abort', onAbort, { once: true });
  const rules = new AdvanceRules(listing);
  const upcoming: C[] = [start];
  const inflight: InFlight<C, R>[] = [];
  rules.schedule(start);
  const topUp = (): void => {
    while (inflight.length < Math.max(1, listing.window ?? 1) && upcoming.length > 0) {
      const cursor = upcoming.shift()!;
      const page = listing.fetch(cursor, signal);
      page.catch(() => undefined); // awaited in order below; abandoned ones only stop an unhandled-rejection report
      inflight.push({ cursor, page });
    }
  };
  try {
    while (inflight.length > 0 || upcoming.length > 0) {
      topUp();
      const page = await inflight.shift()!.page;
      rules.check(page);
      if (page.next !== null && inflight.length === 0 && upcoming.length === 0) {
        rules.schedule(page.next);
        upcoming.push(page.next);
        for (const c of (page.planned ?? []).slice(0, MAX_PLANNED)) {
          rules.schedule(c);
          upcoming.push(c);
        }
      }
      if (page.next !== null) topUp(); // the next page travels while the caller works on this one
      callerSignal.throwIfAborted(); // a prefetched page is not handed out after a cancel
      yield { records: page.records, next: page.next, total: rules.declared, delivered: rules.delivered };
      if (page.next === null) return;
    }
  } finally {
    callerSignal.removeEventListener('abort', onAbort);
    stop.abort(new Error(`${listing.what}: page walk ended`));
  }
}

/**
 * Records one collected listing may hold when its source declares no total (a source that does is
 * held to its total by the advance rules). Far beyond what one item can carry: its normalized
 * form would be over the 5 MiB item limit long before.
 */
export const MAX_COLLECTED = 100_000;

/** Every record of a (short) listing, e.g. one issue's comments; the advance rules still hold. */
export async function collectPages<C, R>(listing: Listing<C, R>, start: C, signal: AbortSignal): Promise<R[]> {
  const out: R[] = [];
  for await (const page of walkPages(listing, start, signal)) {
    out.push(...page.records);
    if (page.total === null && out.length > MAX_COLLECTED) {
      throw new SourceError('SOURCE_RESPONSE_INVALID', `${listing.what}: more than ${MAX_COLLECTED} records without a declared total`);
    }
  }
  return out;
}

class AdvanceRules<C, R> {
  declared: number | null = null;
  delivered = 0;
  private pages = 0;
  private largestPage = 1;
  private stale = 0;
  private readonly records = new SeenKeys();
  private readonly cursors = new Set<string>();

  constructor(private readonly listing: Listing<C, R>) {}

  schedule(cursor: C): void {
    const key = createHash('sha1').update(this.listing.cursorKey(cursor)).digest('base64');
    if (this.cursors.has(key)) this.fail(`the ${this.listing.cursorName} did not advance (it repeats an earlier page's)`);
    this.cursors.add(key);
    if (this.cursors.size > RECENT_CURSORS) this.cursors.delete(this.cursors.values().next().value!);
  }

  check(page: Fetched<C, R>): void {
    this.pages++;
    this.delivered += page.records.length;
    this.largestPage = Math.max(this.largestPage, page.records.length);
    if (typeof page.total === 'number' && Number.isFinite(page.total)) this.declared = Math.max(this.declared ?? 0, page.total);
    let fresh = 0;
    for (const r of page.records) if (!this.records.add(this.listing.recordKey(r))) fresh++;
    const empty = page.records.length === 0;
    this.stale = fresh > 0 || (empty && this.listing.emptyPagesAdvance) ? 0 : this.stale + 1;
    if (this.stale >= STALE_PAGES && page.next !== null) {
      this.fail(`${this.stale} pages in a row brought no new record (the ${this.listing.cursorName} does not advance)`);
    }
    if (this.declared === null || page.next === null) return;
    const slack = this.declared * 0.1;
    if (this.delivered > this.declared + slack + 10 * this.largestPage) {
      this.fail(`served ${this.delivered} records, far beyond its declared total of ${this.declared}`);
    }
    if (this.pages > this.declared + slack + 10) {
      this.fail(`served ${this.pages} pages, far beyond its declared total of ${this.declared} records`);
    }
  }

  private fail(what: string): never {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `${this.listing.what}: ${what}`);
  }
}
