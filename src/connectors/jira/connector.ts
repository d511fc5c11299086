/**
 * The Jira connector: Cloud (REST v3, email + API token as Basic) or Data Center (REST v2,
 * personal access token as Bearer), chosen by the credential kind. The page walker (kit/walker.ts)
 * pages the search of search.ts in id order; while one page's long comment threads are fetched
 * (comments.ts), the next page is already being searched. Each page's cursor resumes right after it.
 */
import type { Connector, ConnectorContext, PageOptions, SourcePage } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import { sourcePages } from '../kit/source-pages.js';
import { baseUrlOf, flavorOf, type JiraConfig } from './config.js';
import { completeComments } from './comments.js';
import { fetchJiraIssue } from './fetch-one.js';
import { decodeCursor, encodeCursor, type JiraCursor } from './cursor.js';
import { baseJql, scopeClause } from './jql.js';
import { identifyIssue, normalizeIssue } from './normalize.js';
import { countIssues, searchListing } from './search.js';
import { classify, rateLimit, rejectingFailedLogins } from './signals.js';

/** What normalize reads, plus what an importer would want to keep in `raw`. */
export const ISSUE_FIELDS = [
  'summary', 'description', 'status', 'priority', 'issuetype', 'project', 'assignee', 'reporter', 'labels',
  'parent', 'attachment', 'created', 'updated', 'resolutiondate', 'resolution', 'components', 'fixVersions', 'duedate',
];

export function authHeader(config: JiraConfig): string {
  if (config.personal_access_token !== undefined) return `Bearer ${config.personal_access_token}`;
  return `Basic ${Buffer.from(`${config.email ?? ''}:${config.api_token ?? ''}`).toString('base64')}`;
}

export function createJiraConnector(config: JiraConfig, ctx: ConnectorContext): Connector {
  const flavor = flavorOf(config);
  const baseUrl = baseUrlOf(config);
  const scope = scopeClause(config);
  const http: SourceHttp = rejectingFailedLogins(ctx.http({
    source: 'Jira',
    baseUrl,
    headers: { Authorization: authHeader(config), Accept: 'application/json' },
    rateLimit,
    classify,
  }));
  const normalizeCtx = { baseUrl, project: config.project_key ?? null };

  async function* pages(opts: PageOptions): AsyncGenerator<SourcePage> {
    const first: JiraCursor = opts.cursor !== null
      ? decodeCursor(opts.cursor)
      : { scope, after: null, token: null, tokenJql: null, tokenAt: null, n: 0 };
    const fields = opts.includeComments ? [...ISSUE_FIELDS, 'comment'] : ISSUE_FIELDS;
    yield* sourcePages({
      listing: searchListing(flavor, { http, since: opts.since, fields, maxResults: opts.batchSize }, first.scope),
      start: first,
      before: first.n,
      encode: encodeCursor,
      complete: async (issues, signal) => {
        if (opts.includeComments) await completeComments(http, flavor, issues, signal, ctx.policy.jira.commentConcurrency);
        return issues;
      },
    }, opts.signal);
  }

  return {
    count: ({ since, signal }) => countIssues(flavor, http, baseJql(scope, since), signal),
    pages,
    fetchOne: (ref, { signal }) => fetchJiraIssue({ http, flavor, scope, fields: ISSUE_FIELDS, signal }, config, ref),
    normalize: (raw) => normalizeIssue(raw, normalizeCtx),
    identify: identifyIssue,
  };
}
