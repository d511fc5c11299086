/**
 * A sub-issue names its parent by API URL (`parent_issue_url`, …/repos/{o}/{r}/issues/{number}),
 * but items are keyed by the source's stable id. Parents seen in this run are looked up by number;
 * the others (a parent on a page not read in this run, or in another repository) cost one GET of
 * that URL, once per parent. A parent that cannot be read (deleted, no access) gives null.
 */
import type { SourceHttp } from '../../outbound/types.js';
import type { RawIssue } from './normalize.js';
import { issueNumberFromUrl } from './normalize.js';

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
    for (const issue of issues) this.idByNumber.set(issue.number, String(issue.id));
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
      this.fetched.set(url, pending);
    }
    return pending;
  }

  private async fetch(url: string, signal: AbortSignal): Promise<string | null> {
    const res = await this.http.get<{ id?: unknown }>(url, { signal, allowStatus: [404, 410] });
    return res.status === 200 && typeof res.body?.id === 'number' ? String(res.body.id) : null;
  }
}
