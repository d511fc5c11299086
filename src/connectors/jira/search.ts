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
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { JiraFlavor } from './config.js';
import { TOKEN_TTL_MS, type JiraCursor } from './cursor.js';
import { searchJql } from './jql.js';

export interface RawIssue {
  id?: unknown;
  key?: unknown;
  fields?: Record<string, unknown>;
}

export interface SearchPage {
  issues: RawIssue[];
  /** State after this page, or null when it was the last one. */
  next: JiraCursor | null;
  /** Issues in scope after this page, when the source says (Data Center). */
  remaining: number | null;
}

interface SearchBody {
  issues?: unknown;
  nextPageToken?: unknown;
  isLast?: unknown;
  total?: unknown;
}

export interface SearchRequest {
  http: SourceHttp;
  /** The job's incremental bound (fixed for the whole job, resumes included). */
  since: Date | null;
  fields: string[];
  maxResults: number;
  signal: AbortSignal;
}

function issuesOf(body: SearchBody): RawIssue[] {
  if (!Array.isArray(body.issues)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', 'Jira search answered without an issues array');
  }
  return body.issues as RawIssue[];
}

function lastId(issues: RawIssue[], previous: string | null): string | null {
  const id = issues.at(-1)?.id;
  return typeof id === 'string' && /^\d+$/.test(id) ? id : previous;
}

async function cloudPage(state: JiraCursor, req: SearchRequest): Promise<SearchPage> {
  const { http, fields, maxResults, signal } = req;
  const path = '/rest/api/3/search/jql';
  let jql = state.tokenJql;
  let body: SearchBody | null = null;
  if (state.token !== null && jql !== null && state.tokenAt !== null && Date.now() - state.tokenAt < TOKEN_TTL_MS) {
    const res = await http.post<SearchBody>(path, { jql, nextPageToken: state.token, maxResults, fields }, { signal, allowStatus: [400] });
    body = res.status === 400 ? null : res.body;
  }
  if (body === null) {
    jql = searchJql(state.scope, req.since, state.after);
    body = (await http.post<SearchBody>(path, { jql, maxResults, fields }, { signal })).body;
  }
  const issues = issuesOf(body);
  const token = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' && body.isLast !== true ? body.nextPageToken : null;
  // A token that does not move with no issues would page forever.
  const stuck = issues.length === 0 && token === state.token;
  const next: JiraCursor | null =
    token === null || stuck
      ? null
      : { scope: state.scope, after: lastId(issues, state.after), token, tokenJql: jql, tokenAt: Date.now(), n: state.n + issues.length };
  return { issues, next, remaining: null };
}

async function dcPage(state: JiraCursor, req: SearchRequest): Promise<SearchPage> {
  const { http, fields, maxResults, signal } = req;
  const jql = searchJql(state.scope, req.since, state.after);
  const body = (await http.post<SearchBody>('/rest/api/2/search', { jql, startAt: 0, maxResults, fields }, { signal })).body;
  const issues = issuesOf(body);
  const remaining = typeof body.total === 'number' ? Math.max(0, body.total - issues.length) : null;
  const more = issues.length > 0 && remaining !== 0;
  const next: JiraCursor | null = more
    ? { ...state, after: lastId(issues, state.after), n: state.n + issues.length }
    : null;
  return { issues, next, remaining };
}

export function searchPage(flavor: JiraFlavor, state: JiraCursor, req: SearchRequest): Promise<SearchPage> {
  return flavor === 'cloud' ? cloudPage(state, req) : dcPage(state, req);
}

export async function countIssues(flavor: JiraFlavor, http: SourceHttp, jql: string, signal: AbortSignal): Promise<number | null> {
  if (flavor === 'cloud') {
    const res = await http.post<{ count?: unknown }>('/rest/api/3/search/approximate-count', { jql }, { signal });
    return typeof res.body?.count === 'number' ? res.body.count : null;
  }
  const res = await http.post<SearchBody>('/rest/api/2/search', { jql, startAt: 0, maxResults: 0, fields: ['id'] }, { signal });
  return typeof res.body?.total === 'number' ? res.body.total : null;
}
