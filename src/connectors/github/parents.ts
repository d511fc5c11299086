/**
 * A sub-issue names its parent by API URL (`parent_issue_url`, …/repos/{o}/{r}/issues/{number}),
 * but items are keyed by the source's stable id. Parents seen in this run are looked up by number;
 * the others (a parent on a page not read in this run, or in another repository) cost one GET of
 * that URL, once per parent. A parent that cannot be read (deleted, no access) gives null.
 * Both memories keep the most recent REMEMBERED entries only, so a job's memory does not grow
 * with the repository (CONTRACT §7); a parent forgotten by then costs one more GET.
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

  constructor(
    private readonly http: SourceHttp,
    private readonly repoUrl: string,
    private readonly origin: string,
  ) {}

  /** Remembers the ids of a page's issues (call before resolving that page's parents). */
  learn(issues: RawIssue[]): void {
    for (const issue of issues) remember(this.idByNumber, issue.number, String(issue.id));
  }

  async resolve(issue: RawIssue, signal: AbortSignal): Promise<string | null> {
    const url = issue.parent_issue_url;
    const n = issueNumberFromUrl(url);
    if (!url || n === null) return null;
    const sameRepo = url.replace(/\/issues\/\d+\/?$/, '').toLowerCase() === this.repoUrl.toLowerCase();
    const known = sameRepo ? this.idByNumber.get(n) : undefined;
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
