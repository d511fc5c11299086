/**
 * Completes the changelog a search embeds (`expand=changelog`). Cloud's /search/jql embeds at most
 * 40 entries (the most recent; Data Center's search 100) with the real `total`; an issue with more
 * gets its whole changelog read here, so `changelog.histories` holds every entry, oldest first.
 *
 * Cloud: POST /rest/api/3/changelog/bulkfetch for all such issues of a page at once (up to 1000
 * issues and about 50,000 declared entries a listing, paged by nextPageToken, oldest entry first), then, for any issue the bulk read
 * left short of its total, GET /rest/api/3/issue/{id}/changelog (startAt/maxResults ≤ 100/total).
 * Data Center has neither bulk fetch nor a changelog endpoint: GET /rest/api/2/issue/{id}?expand=changelog
 * embeds the whole changelog.
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-changelog-bulkfetch-post
 *
 * A changelog that cannot be read in full (an endpoint failing past its retries, an answer short of
 * the total) keeps what was read and notes why in `importer.history_error` on the raw issue, so the
 * item is stored as partial instead of failing the job. Credentials refused, a rate limit that asks
 * to wait, and aborts still end the page.
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import { mapBounded } from '../kit/each.js';
import { collectPages, type Fetched, type Listing } from '../kit/walker.js';
import type { JiraFlavor } from './config.js';
import type { RawIssue } from './search.js';

interface Changelog {
  histories?: unknown;
  total?: unknown;
  startAt?: unknown;
  maxResults?: unknown;
}

type History = { id?: unknown };

/** Issues a request of bulkfetch may name, entries one bulk listing collects (below the walker's cap), entries asked per page. */
const BULK_ISSUES = 1000;
const BULK_ENTRIES = 50_000;
const BULK_PAGE = 1000;
const PAGE = 100;

const changelogOf = (issue: RawIssue): Changelog | null => {
  const c = (issue as { changelog?: unknown }).changelog;
  return typeof c === 'object' && c !== null ? (c as Changelog) : null;
};
const historiesOf = (c: Changelog): unknown[] => (Array.isArray(c.histories) ? c.histories : []);
const totalOf = (c: Changelog): number | null => (typeof c.total === 'number' ? c.total : null);

/** The embedded changelog misses entries: its total is above what it holds. */
export function truncated(issue: RawIssue): boolean {
  const c = changelogOf(issue);
  if (c === null) return false;
  const total = totalOf(c);
  return total !== null && total > historiesOf(c).length;
}

function settle(issue: RawIssue, histories: unknown[], declared: number | null, error: string | null): void {
  const total = Math.max(declared ?? 0, 0);
  (issue as { changelog?: unknown }).changelog = { startAt: 0, maxResults: histories.length, total, histories };
  if (error !== null) noteHistoryError(issue, error);
}

export function noteHistoryError(issue: RawIssue, error: string): void {
  const r = issue as { importer?: Record<string, unknown> };
  r.importer = { ...r.importer, history_error: error };
}

/** Worth keeping the item as partial; anything else ends the page as before. */
function recoverable(err: unknown): err is SourceError {
  return err instanceof SourceError && ['SOURCE_UNAVAILABLE', 'SOURCE_RESPONSE_INVALID', 'SOURCE_NOT_FOUND'].includes(err.code);
}

function bulkListing(http: SourceHttp, ids: string[]): Listing<string | null, { issueId: string; h: unknown }> {
  return {
    what: `Jira bulk changelog of ${ids.length} issues`,
    cursorName: 'page token',
    fetch: async (token, signal): Promise<Fetched<string | null, { issueId: string; h: unknown }>> => {
      const body = { issueIdsOrKeys: ids, maxResults: BULK_PAGE, ...(token !== null && { nextPageToken: token }) };
      const res = await http.post<{ issueChangeLogs?: unknown; nextPageToken?: unknown }>('/rest/api/3/changelog/bulkfetch', body, { signal });
      const logs = Array.isArray(res.body?.issueChangeLogs) ? res.body.issueChangeLogs : [];
      const records = logs.flatMap((l: { issueId?: unknown; changeHistories?: unknown }) =>
        (Array.isArray(l?.changeHistories) ? l.changeHistories : []).map((h: unknown) => ({ issueId: String(l.issueId), h })));
      const next = typeof res.body?.nextPageToken === 'string' && res.body.nextPageToken !== '' ? res.body.nextPageToken : null;
      return { records, next };
    },
    cursorKey: (token) => token ?? '',
    recordKey: (r) => `${r.issueId}/${String((r.h as History | null)?.id)}`,
  };
}

function issueListing(http: SourceHttp, issueId: string): Listing<number, unknown> {
  const path = `/rest/api/3/issue/${encodeURIComponent(issueId)}/changelog`;
  return {
    what: `Jira changelog of issue ${issueId}`,
    cursorName: 'startAt offset',
    fetch: async (startAt, signal) => {
      const res = await http.get<{ values?: unknown; total?: unknown; isLast?: unknown }>(path, { query: { startAt, maxResults: PAGE }, signal });
      const values: unknown[] = Array.isArray(res.body?.values) ? res.body.values : [];
      const total = typeof res.body?.total === 'number' ? res.body.total : null;
      const end = startAt + values.length;
      const last = values.length === 0 || res.body?.isLast === true || (total !== null && end >= total);
      return { records: values, next: last ? null : end, total };
    },
    cursorKey: String,
    recordKey: (h) => String((h as History | null)?.id),
  };
}

/** Every entry of one issue's changelog from the per-issue endpoint (Cloud) or GET issue (Data Center). */
async function oneChangelog(http: SourceHttp, flavor: JiraFlavor, issueId: string, signal: AbortSignal): Promise<unknown[]> {
  if (flavor === 'cloud') return collectPages(issueListing(http, issueId), 0, signal);
  const res = await http.get<{ changelog?: Changelog }>(`/rest/api/2/issue/${encodeURIComponent(issueId)}`, {
    query: { fields: 'created', expand: 'changelog' }, signal,
  });
  return historiesOf(res.body?.changelog ?? {});
}

const why = (err: SourceError) => `changelog paging failed: ${err.message}`;

/** The issues in groups of at most BULK_ISSUES whose declared entries stay within BULK_ENTRIES (an issue above it alone). */
function bulkGroups(issues: RawIssue[]): string[][] {
  const groups: string[][] = [];
  let entries = 0;
  for (const issue of issues) {
    const total = totalOf(changelogOf(issue)!) ?? 0;
    const last = groups.at(-1);
    if (!last || last.length >= BULK_ISSUES || entries + total > BULK_ENTRIES) {
      groups.push([String(issue.id)]);
      entries = total;
    } else {
      last.push(String(issue.id));
      entries += total;
    }
  }
  return groups;
}

/** Cloud: bulk reads for the issues; what they bring per issue (null when a bulk read failed). */
async function bulkRead(http: SourceHttp, issues: RawIssue[], signal: AbortSignal): Promise<Map<string, unknown[]> | null> {
  const byIssue = new Map<string, unknown[]>();
  try {
    for (const ids of bulkGroups(issues)) {
      for (const r of await collectPages(bulkListing(http, ids), null, signal)) {
        const list = byIssue.get(r.issueId) ?? [];
        list.push(r.h);
        byIssue.set(r.issueId, list);
      }
    }
  } catch (err) {
    if (!recoverable(err)) throw err;
    return null; // each issue then reads its own changelog
  }
  return byIssue;
}

export async function completeHistory(
  http: SourceHttp,
  flavor: JiraFlavor,
  issues: RawIssue[],
  signal: AbortSignal,
  concurrency: number,
): Promise<void> {
  const short = issues.filter(truncated);
  if (short.length === 0) return;
  const bulk = flavor === 'cloud' ? await bulkRead(http, short, signal) : null;
  const rest: RawIssue[] = [];
  for (const issue of short) {
    const got = bulk?.get(String(issue.id)) ?? [];
    const total = totalOf(changelogOf(issue)!);
    if (total !== null && got.length >= total) settle(issue, got, total, null);
    else rest.push(issue);
  }
  await mapBounded(rest, concurrency, signal, async (issue, inner) => {
    const declared = totalOf(changelogOf(issue)!);
    try {
      const all = await oneChangelog(http, flavor, String(issue.id), inner);
      const short = declared !== null && all.length < declared;
      settle(issue, all, declared, short ? `Jira answered ${all.length} changelog entries of ${declared}` : null);
    } catch (err) {
      if (!recoverable(err)) throw err;
      noteHistoryError(issue, why(err));
    }
  });
}
