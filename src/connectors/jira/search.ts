/**
 * One search page per flavour, and the item count.
 *
 * Cloud (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/):
 * POST /rest/api/3/search/jql follows `nextPageToken` (absent on the last page); fields must be
 * listed (the default is ids only); the size of a page is the server's choice (it silently caps
 * maxResults), so only the token ends paging. A resumed job re-sends its saved token; when that is
 * older than Jira's 7-day lifetime or refused (400), the search restarts as `id > <last id>`.
 * The count is POST /rest/api/3/search/approximate-count. The old /rest/api/3/search (410) is never used.
 *
 * Data Center (https://developer.atlassian.com/server/jira/platform/rest/v10005/api-group-search/):
 * POST /rest/api/2/search returns `total`. Paging is by keyset (`id > <last id>`, startAt 0) rather
 * than by startAt: issues created or moved during the import cannot shift offsets, and deep pages
 * never cross the index's max_result_window (a 500 "Search limit exceeded" beyond 10,000).
 *
 * Both answer `expand` (Cloud: a comma-delimited string; Data Center: a list): `names` and `schema`
 * for the page's fields, kept on each issue for its custom fields (as GET issue carries them), and
 * `changelog` when history is read (completed by changelog.ts).
 */
import { SourceError } from '../../errors.js';
import type { Fetched, Listing } from '../kit/walker.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { JiraFlavor } from './config.js';
import { TOKEN_TTL_MS, type JiraCursor } from './cursor.js';
import { isCustomField } from './custom-fields.js';
import { baseJql, searchJql } from './jql.js';

export interface RawIssue {
  id?: unknown;
  key?: unknown;
  fields?: Record<string, unknown>;
  /** display names and schemas of the issue's custom fields (the `names` / `schema` expansions) */
  names?: Record<string, unknown>;
  schema?: Record<string, unknown>;
}

/** One search page: its issues, the state after it (null when it was the last), and the total Jira declares. */
export type SearchPage = Fetched<JiraCursor, RawIssue>;

interface SearchBody {
  issues?: unknown;
  nextPageToken?: unknown;
  isLast?: unknown;
  total?: unknown;
  names?: unknown;
  schema?: unknown;
}

export interface SearchRequest {
  http: SourceHttp;
  /** The job's incremental bound (fixed for the whole job, resumes included). */
  since: Date | null;
  fields: string[];
  /** `names`, `schema`, `changelog` */
  expand: string[];
  maxResults: number;
}

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});

/** Keeps on the issue the names and schemas of its custom fields (a page's maps cover all its issues). */
export function withFieldMeta(issue: RawIssue, names: unknown, schema: unknown): RawIssue {
  const ids = Object.keys(issue.fields ?? {}).filter(isCustomField);
  const pick = (m: Record<string, unknown>) => Object.fromEntries(ids.filter((id) => id in m).map((id) => [id, m[id]]));
  if (names !== undefined) issue.names = pick(record(names));
  if (schema !== undefined) issue.schema = pick(record(schema));
  return issue;
}

function issuesOf(body: SearchBody): RawIssue[] {
  if (!Array.isArray(body.issues)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', 'Jira search answered without an issues array');
  }
  return (body.issues as RawIssue[]).map((i) => (typeof i === 'object' && i !== null ? withFieldMeta(i, body.names, body.schema) : i));
}

function lastId(issues: RawIssue[], previous: string | null): string | null {
  const id = issues.at(-1)?.id;
  return typeof id === 'string' && /^\d+$/.test(id) ? id : previous;
}

async function cloudPage(state: JiraCursor, req: SearchRequest, signal: AbortSignal): Promise<SearchPage> {
  const { http, fields, maxResults } = req;
  const path = '/rest/api/3/search/jql';
  const expand = req.expand.length > 0 ? { expand: req.expand.join(',') } : {};
  let jql = state.tokenJql;
  let body: SearchBody | null = null;
  if (state.token !== null && jql !== null && state.tokenAt !== null && Date.now() - state.tokenAt < TOKEN_TTL_MS) {
    const res = await http.post<SearchBody>(path, { jql, nextPageToken: state.token, maxResults, fields, ...expand }, { signal, allowStatus: [400] });
    body = res.status === 400 ? null : res.body;
  }
  if (body === null) {
    jql = searchJql(state.scope, req.since, state.after);
    body = (await http.post<SearchBody>(path, { jql, maxResults, fields, ...expand }, { signal })).body;
  }
  const issues = issuesOf(body);
  const token = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' && body.isLast !== true ? body.nextPageToken : null;
  const next: JiraCursor | null =
    token === null
      ? null
      : { scope: state.scope, after: lastId(issues, state.after), token, tokenJql: jql, tokenAt: Date.now(), n: state.n + issues.length };
  return { records: issues, next };
}

async function dcPage(state: JiraCursor, req: SearchRequest, signal: AbortSignal): Promise<SearchPage> {
  const { http, fields, maxResults } = req;
  const jql = searchJql(state.scope, req.since, state.after);
  const body = (await http.post<SearchBody>('/rest/api/2/search', { jql, startAt: 0, maxResults, fields, ...(req.expand.length > 0 && { expand: req.expand }) }, { signal })).body;
  const issues = issuesOf(body);
  // `total` counts the issues of this search, i.e. those after `after`: the listing's total adds the ones before.
  const declared = typeof body.total === 'number' ? body.total : null;
  const more = issues.length > 0 && (declared === null || declared > issues.length);
  const next: JiraCursor | null = more
    ? { ...state, after: lastId(issues, state.after), n: state.n + issues.length }
    : null;
  return { records: issues, next, total: declared === null ? null : state.n + declared };
}

/**
 * The search as a listing for the page walker. Cloud: the approximate count of the scope is
 * asked once, beside the first page, and is the declared total (search pages carry none).
 */
export function searchListing(flavor: JiraFlavor, req: SearchRequest, scope: string): Listing<JiraCursor, RawIssue> {
  let counted: Promise<number | null> | null = null;
  const cloud = async (state: JiraCursor, signal: AbortSignal): Promise<SearchPage> => {
    counted ??= countIssues(flavor, req.http, baseJql(scope, req.since), signal).catch(() => null);
    const page = await cloudPage(state, req, signal);
    return { ...page, total: await counted };
  };
  return {
    what: flavor === 'cloud' ? 'Jira Cloud search' : 'Jira Data Center search',
    cursorName: flavor === 'cloud' ? 'page token' : 'keyset cursor',
    fetch: flavor === 'cloud' ? cloud : (state, signal) => dcPage(state, req, signal),
    // A Cloud state moves with its token; a Data Center state (and a Cloud restart) with `id > after`.
    cursorKey: (state) => state.token ?? `id > ${state.after ?? ''}`,
    recordKey: (issue) => String(issue.id),
  };
}

export async function countIssues(flavor: JiraFlavor, http: SourceHttp, jql: string, signal: AbortSignal): Promise<number | null> {
  if (flavor === 'cloud') {
    const res = await http.post<{ count?: unknown }>('/rest/api/3/search/approximate-count', { jql }, { signal });
    return typeof res.body?.count === 'number' ? res.body.count : null;
  }
  const res = await http.post<SearchBody>('/rest/api/2/search', { jql, startAt: 0, maxResults: 0, fields: ['id'] }, { signal });
  return typeof res.body?.total === 'number' ? res.body.total : null;
}
