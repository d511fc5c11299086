/**
 * A sub-issue names its parent by API URL (`parent_issue_url`, …/repos/{o}/{r}/issues/{number}),
 * but items are keyed by the source's stable id. Parents seen in this run are looked up by number;
 * the others (a parent on a page not read in this run, or in another repository) cost one GET of
 * that URL, once per parent. A parent that cannot be read (deleted, no access) gives null.
 * Both memories keep the most recent REMEMBERED entries only, so a job's memory does not grow
 * with the repository (CONTRACT §7); a parent forgotten by then costs one more GET.
 * When the store can be read, a same-repository parent not seen in this run is first looked up
 * there by key (#number): an issue's number never changes hands within its repository, so a
 * stored #n is that parent. One store query per page, only for the parents still unknown.
 */
import type { SourceHttp } from '../../outbound/types.js';
import type { RawIssue } from './normalize.js';
import { issueNumberFromUrl } from './normalize.js';

/** Issue ids and parent look-ups remembered: ~100 pages of issues, a few MiB at most. */
const REMEMBERED = 10_000;

/** Adds to a Map used as a first-in-first-out cache of at most REMEMBERED entries. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value!);
}

export class ParentResolver {
  private readonly idByNumber = new Map<number, string>();
  private readonly fetched = new Map<string, Promise<string | null>>();

  /** @param storedIds external_ids of stored items of this repository by key, or null without a store */
  constructor(
    private readonly http: SourceHttp,
    private readonly repoUrl: string,
    private readonly origin: string,
    private readonly storedIds: ((keys: string[]) => Promise<Map<string, string>>) | null = null,
  ) {}

  /** Remembers the ids of a page's issues (call before resolving that page's parents). */
  learn(issues: RawIssue[]): void {
    for (const issue of issues) remember(this.idByNumber, issue.number, String(issue.id));
  }

  /** Remembers the stored ids of these issues' same-repository parents not known yet (call before resolving them). */
  async learnStored(issues: RawIssue[]): Promise<void> {
    if (!this.storedIds) return;
    const wanted = new Set<number>();
    for (const issue of issues) {
      const n = issueNumberFromUrl(issue.parent_issue_url);
      if (n !== null && this.sameRepo(issue.parent_issue_url!) && !this.idByNumber.has(n)) wanted.add(n);
    }
    if (wanted.size === 0) return;
    const found = await this.storedIds([...wanted].map((n) => `#${n}`));
    for (const [key, id] of found) remember(this.idByNumber, Number(key.slice(1)), id);
  }

  private sameRepo(url: string): boolean {
    return url.replace(/\/issues\/\d+\/?$/, '').toLowerCase() === this.repoUrl.toLowerCase();
  }

  async resolve(issue: RawIssue, signal: AbortSignal): Promise<string | null> {
    const url = issue.parent_issue_url;
    const n = issueNumberFromUrl(url);
    if (!url || n === null) return null;
    const known = this.sameRepo(url) ? this.idByNumber.get(n) : undefined;
    if (known !== undefined) return known;
    if (new URL(url).origin !== this.origin) return null;
    let pending = this.fetched.get(url);
    if (!pending) {
      pending = this.fetch(url, signal);
      remember(this.fetched, url, pending);
    }
    return pending;
  }

  private async fetch(url: string, signal: AbortSignal): Promise<string | null> {
    const res = await this.http.get<{ id?: unknown }>(url, { signal, allowStatus: [404, 410] });
    return res.status === 200 && typeof res.body?.id === 'number' ? String(res.body.id) : null;
  }
}
