/**
 * The Jira connector: Cloud (REST v3, email + API token as Basic) or Data Center (REST v2,
 * personal access token as Bearer), chosen by the credential kind. The page walker (kit/walker.ts)
 * pages the search of search.ts in id order; while one page's long comment threads are fetched
 * (comments.ts), the next page is already being searched. Each page's cursor resumes right after it.
 * With history the search expands `changelog` and changelog.ts completes the truncated ones (one bulk
 * request a page on Cloud); without it no changelog is asked for. Every search also expands `names`
 * and `schema` for the custom fields (custom-fields.ts): no request of their own.
 */
import { SourceError } from '../../errors.js';
import type { Attachment } from '../item-depth.js';
import type { Connector, ConnectorContext, PageOptions, SourcePage } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import { sourcePages } from '../kit/source-pages.js';
import { baseUrlOf, flavorOf, type JiraConfig } from './config.js';
import { completeHistory } from './changelog.js';
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

/**
 * The fields asked for: the above, every navigable field (custom fields among them, so their ids need
 * no GET /field first), and the comments only when wanted (`-comment` leaves them out).
 */
export function issueFields(includeComments: boolean): string[] {
  return [...ISSUE_FIELDS, '*navigable', includeComments ? 'comment' : '-comment'];
}

export function expansions(includeHistory: boolean): string[] {
  return includeHistory ? ['names', 'schema', 'changelog'] : ['names', 'schema'];
}

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
    const fields = issueFields(opts.includeComments);
    const expand = expansions(opts.includeHistory ?? false);
    const concurrency = ctx.policy.jira;
    yield* sourcePages({
      listing: searchListing(flavor, { http, since: opts.since, fields, expand, maxResults: opts.batchSize }, first.scope),
      start: first,
      before: first.n,
      encode: encodeCursor,
      complete: async (issues, signal) => {
        await Promise.all([
          opts.includeComments ? completeComments(http, flavor, issues, signal, concurrency.commentConcurrency) : null,
          opts.includeHistory ? completeHistory(http, flavor, issues, signal, concurrency.historyConcurrency) : null,
        ]);
        return issues;
      },
    }, opts.signal);
  }

  return {
    count: ({ since, signal }) => countIssues(flavor, http, baseJql(scope, since), signal),
    pages,
    fetchOne: (ref, { signal, includeHistory }) => fetchJiraIssue({
      http, flavor, scope, fields: issueFields(true), expand: expansions(includeHistory ?? false), signal,
      historyConcurrency: ctx.policy.jira.historyConcurrency,
    }, config, ref),
    normalize: (raw) => normalizeIssue(raw, normalizeCtx),
    identify: identifyIssue,
    attachmentContent: (att, { signal, maxBytes }) => attachmentContent(http, baseUrl, att, signal, maxBytes),
  };
}

/**
 * An attachment's bytes from its content URL, on this site only. Cloud answers with a redirect to
 * the media service (another origin): the guarded layer follows it without the credentials.
 */
async function attachmentContent(
  http: SourceHttp, baseUrl: string, att: Attachment, signal: AbortSignal, maxBytes: number,
): Promise<{ bytes: Buffer; media_type: string | null }> {
  const url = att.source_url;
  if (url === null || new URL(url).origin !== new URL(baseUrl).origin) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `Jira attachment ${att.external_id} has no content URL on ${new URL(baseUrl).host}`);
  }
  const res = await http.get<Buffer>(url, { responseType: 'bytes', maxBytes, signal });
  const type = res.headers['content-type']?.split(';')[0]?.trim();
  return { bytes: res.body, media_type: type || att.media_type };
}
