/**
 * One issue by id or key for a vendor webhook (CONTRACT §12): GET /rest/api/{3|2}/issue/{idOrKey}
 * with the listing's fields and its embedded comments, the rest of a long thread paged as in a run
 * (comments.ts), and with history its changelog (cut at 100 on Cloud, completed by changelog.ts). A sync on a project is checked against the issue's project; a sync on a JQL asks
 * the search whether `(<jql>) AND id = N` holds (one more request; Jira's index may lag a new issue
 * by a few seconds, and then the next scheduled run brings it). A 404 is told apart from a scope
 * that cannot be read by one count of the scope.
 */
import { SourceError } from '../../errors.js';
import type { FetchOneResult } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { JiraConfig, JiraFlavor } from './config.js';
import { completeHistory } from './changelog.js';
import { completeComments } from './comments.js';
import type { RawIssue } from './search.js';
import { countIssues, withFieldMeta } from './search.js';

const REF = /^(?:[1-9]\d{0,17}|[A-Za-z][A-Za-z0-9_]{0,254}-[1-9]\d{0,17})$/;

export interface FetchOneContext {
  http: SourceHttp;
  flavor: JiraFlavor;
  /** the scope's JQL clause (jql.ts scopeClause) */
  scope: string;
  fields: string[];
  /** `names`, `schema`, and `changelog` when history is read */
  expand: string[];
  historyConcurrency: number;
  signal: AbortSignal;
}

export async function fetchJiraIssue(ctx: FetchOneContext, config: JiraConfig, ref: string): Promise<FetchOneResult> {
  if (!REF.test(ref)) throw new Error('a Jira issue reference is its id or key');
  const { http, flavor, signal } = ctx;
  const res = await http.get<RawIssue>(`/rest/api/${flavor === 'cloud' ? 3 : 2}/issue/${encodeURIComponent(ref)}`, {
    query: { fields: ctx.fields.join(','), expand: ctx.expand.join(',') }, signal, allowStatus: [404],
  });
  if (res.status === 404) {
    await countIssues(flavor, http, ctx.scope, signal);
    return { kind: 'gone' };
  }
  const issue = res.body;
  if (!issue || typeof issue !== 'object' || typeof issue.id !== 'string' || !/^\d+$/.test(issue.id)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `Jira answered issue ${ref} without an issue id`, res.status);
  }
  if (config.project_key !== undefined) {
    const project = (issue.fields?.project as { key?: unknown } | undefined)?.key;
    if (typeof project !== 'string' || project.toUpperCase() !== config.project_key.toUpperCase()) {
      return { kind: 'out-of-scope', reason: 'the issue belongs to another project' };
    }
  } else if (((await countIssues(flavor, http, `${ctx.scope} AND id = ${issue.id}`, signal)) ?? 0) === 0) {
    return { kind: 'out-of-scope', reason: 'the issue does not match the sync\'s JQL' };
  }
  withFieldMeta(issue, issue.names, issue.schema);
  await Promise.all([
    completeComments(http, flavor, [issue], signal, 1),
    ctx.expand.includes('changelog') ? completeHistory(http, flavor, [issue], signal, ctx.historyConcurrency) : null,
  ]);
  return { kind: 'found', record: issue };
}
