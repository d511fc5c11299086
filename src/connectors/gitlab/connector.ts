/**
 * The GitLab connector: issues of one project as checkpointed pages, each page's issues
 * carrying their notes. With comments, the pages come from GraphQL (graphql.ts: a page of issues
 * and their notes in one request); a server without GraphQL, or refusing the query, is read over
 * REST instead (the issue list, then one notes request per issue with comments), and the log says
 * why. The next page is prepared while the consumer stores the current one, and two are in
 * preparation while it waits, so the request slots stay busy across page boundaries; all of it
 * stops when the consumer stops (cancel, shutdown, error) because every request shares one abort
 * signal.
 */
import { setMaxListeners } from 'node:events';
import type { Connector, ConnectorContext, FetchOneResult, PageOptions, SourcePage } from '../connector.js';
import type { SourceHttp, SourceResponse } from '../../outbound/types.js';
import { SourceError } from '../../errors.js';
import { type GitLabConfig, instanceUrl, projectApiUrl, projectRef } from './config.js';
import { decodeCursor, encodeCursor, type GitLabCursor } from './cursor.js';
import { GraphQLRefused, graphqlListing } from './graphql.js';
import { prepareAhead } from '../kit/ahead.js';
import { walkPages, type WalkedPage } from '../kit/walker.js';
import { cursorBefore, issueListing, startUrl } from './issue-pages.js';
import { intHeader } from './links.js';
import { withNotes } from './notes.js';
import { withEvents } from './events.js';
import { uploadName } from './depth.js';
import { fetchGitLabIssue } from './fetch-one.js';
import { identifyGitLab, normalizeGitLab } from './normalize.js';
import type { GitLabIssue, GitLabRecord } from './types.js';
import { gitlabRateLimit } from './rate-limit.js';
import { settledByCreation } from '../kit/settled.js';

export function createGitLabConnector(config: GitLabConfig, ctx: ConnectorContext): Connector {
  const project = projectRef(config);
  const origin = new URL(instanceUrl(config)).origin;
  const projectUrl = projectApiUrl(config);
  const http: SourceHttp = ctx.http({
    source: 'GitLab',
    baseUrl: `${instanceUrl(config)}/api/v4`,
    headers: { 'PRIVATE-TOKEN': config.token },
    concurrency: ctx.policy.gitlab.concurrency,
    rateLimit: (res) => gitlabRateLimit(res, ctx.policy.gitlab.fallbackWaitMs),
    classify: (res) => classify(res, project),
  });

  const filters = (since: Date | null): Record<string, string> => ({
    order_by: 'created_at',
    sort: 'asc',
    ...(config.state && config.state !== 'all' ? { state: config.state } : {}),
    ...(since ? { updated_after: since.toISOString() } : {}),
  });

  /**
   * One issue of the list checks token and access and brings x-total. Above 10,000 matches GitLab
   * leaves x-total out; issues_statistics (docs.gitlab.com/api/issues_statistics) still counts them,
   * by state, with the same updated_after filter.
   */
  async function count(opts: { since: Date | null; signal: AbortSignal }): Promise<number | null> {
    const res = await http.get<unknown>(`${projectUrl}/issues`, { query: { ...filters(opts.since), per_page: '1' }, signal: opts.signal });
    if (!Array.isArray(res.body)) throw new SourceError('SOURCE_RESPONSE_INVALID', 'GitLab answered the issue list with something other than an array', res.status);
    return intHeader(res, 'x-total') ?? (await statisticsCount(opts));
  }

  async function statisticsCount(opts: { since: Date | null; signal: AbortSignal }): Promise<number | null> {
    const query = opts.since ? { updated_after: opts.since.toISOString() } : undefined;
    const res = await http.get<{ statistics?: { counts?: Record<string, unknown> } } | null>(`${projectUrl}/issues_statistics`, {
      query,
      signal: opts.signal,
      allowStatus: [404],
    });
    const n = res.status === 200 ? res.body?.statistics?.counts?.[config.state && config.state !== 'all' ? config.state : 'all'] : null;
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
  }

  /** Why GraphQL is not used by this connector any more (the first refusal holds for the rest of the job). */
  let graphqlRefused: string | null = null;

  async function* pages(opts: PageOptions): AsyncGenerator<SourcePage> {
    const cursor = decodeCursor(opts.cursor);
    if (opts.includeComments && graphqlRefused === null && (cursor === null || cursor.mode === 'graphql')) {
      let yielded = false;
      try {
        for await (const page of graphqlPages(opts, cursor)) {
          yielded = true;
          yield page;
        }
        return;
      } catch (err) {
        if (!(err instanceof GraphQLRefused)) throw err;
        // Pages already stored came from GraphQL: switching listings now could skip or repeat issues.
        if (yielded) throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab GraphQL stopped answering mid-import: ${err.message}`);
        graphqlRefused = err.message;
        ctx.logger.warn({ source: 'gitlab', project, reason: err.message }, `GitLab GraphQL not used (${err.message}); reading issues and notes over REST`);
      }
    }
    yield* restPages(opts, cursor);
  }

  /** The project's full path, which GraphQL looks projects up by: a numeric project_id costs one read of the project. */
  async function fullPath(signal: AbortSignal): Promise<string> {
    if (!/^\d+$/.test(project)) return project;
    const res = await http.get<{ path_with_namespace?: unknown }>(projectUrl, { signal });
    const path = res.body?.path_with_namespace;
    if (typeof path !== 'string' || path === '') throw new GraphQLRefused(`project ${project} has no path_with_namespace`);
    return path;
  }

  async function* graphqlPages(opts: PageOptions, cursor: GitLabCursor | null): AsyncGenerator<SourcePage> {
    const stop = new AbortController();
    const signal = AbortSignal.any([opts.signal, stop.signal]);
    setMaxListeners(0, signal);
    try {
      const listing = graphqlListing({
        http, projectUrl, instanceOrigin: origin,
        graphqlUrl: `${instanceUrl(config)}/api/graphql`,
        fullPath: await fullPath(signal),
        state: config.state && config.state !== 'all' ? config.state : null,
        since: opts.since,
        issuesPerPage: Math.min(100, Math.max(1, opts.batchSize)),
        notesPerIssue: ctx.policy.gitlab.graphqlNotesPerIssue,
      }, signal);
      const walk = walkPages(listing, cursor?.mode === 'graphql' ? cursor.after : '', signal);
      const prepare = async (page: WalkedPage<string, GitLabRecord>): Promise<SourcePage> => {
        const last = page.records.at(-1);
        const next: GitLabCursor | null = page.next && last ? { v: 1, mode: 'graphql', after: page.next, last: { created_at: last.created_at ?? '', id: last.id } } : null;
        const records = await withDepth(page.records, { comments: true, history: opts.includeHistory === true }, signal);
        return { records, cursor: encodeCursor(next), total: page.total, settledBefore: settledByCreation(page.records.map((i) => i.created_at)) };
      };
      let yielded = false;
      for await (const page of prepareAhead(walk, prepare, ctx.policy.gitlab.pagesAhead)) {
        opts.signal.throwIfAborted();
        yielded = true;
        yield page;
      }
      if (!yielded) yield { records: [], cursor: null, total: 0 };
    } finally {
      stop.abort(new Error('GitLab paging stopped'));
    }
  }

  async function* restPages(opts: PageOptions, cursor: GitLabCursor | null): AsyncGenerator<SourcePage> {
    const stop = new AbortController();
    const signal = AbortSignal.any([opts.signal, stop.signal]);
    // Every queued notes request listens on it: a page has up to 100 at once, legitimately.
    setMaxListeners(0, signal);
    // A GraphQL checkpoint resumes over REST from its last issue: created on or after it, minus those already handed out.
    const resumeAfter = cursor?.mode === 'graphql' ? cursor.last : null;
    const query = { ...filters(opts.since), ...(resumeAfter ? { created_after: resumeAfter.created_at } : {}) };
    const lc = { http, project, issuesUrl: `${projectUrl}/issues`, instanceOrigin: origin, query, perPage: Math.min(100, Math.max(1, opts.batchSize)), window: ctx.policy.gitlab.listWindow };
    const walk = walkPages(issueListing(lc), startUrl(lc, cursor?.mode === 'graphql' ? null : cursor), signal);
    // GraphQL times are whole seconds where REST has milliseconds: anything up to that second with an id not above the last.
    const handedOut = (i: GitLabIssue): boolean =>
      resumeAfter !== null && i.id <= resumeAfter.id && Date.parse(i.created_at ?? '') < Date.parse(resumeAfter.created_at) + 1000;
    const prepare = async (page: WalkedPage<string, GitLabIssue>): Promise<SourcePage> => {
      const issues = page.records.filter((i) => !handedOut(i));
      const records = opts.includeComments ? await withNotes({ http, projectUrl, instanceOrigin: origin, signal }, issues) : issues;
      return {
        records: await withDepth(records, { comments: opts.includeComments, history: opts.includeHistory === true }, signal),
        cursor: page.next ? encodeCursor(cursorBefore(page.next)) : null,
        total: page.total,
        // Listed by creation time (order_by=created_at): see kit/settled.ts.
        settledBefore: settledByCreation(issues.map((i) => i.created_at)),
      };
    };
    let yielded = false;
    try {
      for await (const page of prepareAhead(walk, prepare, ctx.policy.gitlab.pagesAhead)) {
        // Keyset paging ends with an empty page after a full one: nothing to hand out then.
        if (page.records.length === 0 && page.cursor === null) break;
        opts.signal.throwIfAborted(); // a prepared page is not handed out after a cancel
        yielded = true;
        yield page;
      }
      if (!yielded) yield { records: [], cursor: null, total: 0 };
    } finally {
      stop.abort(new Error('GitLab paging stopped'));
    }
  }

  /** Marks what was read for each record, and reads the events of each when history is asked for. */
  async function withDepth(records: GitLabRecord[], read: { comments: boolean; history: boolean }, signal: AbortSignal): Promise<GitLabRecord[]> {
    const withHistory = read.history ? await withEvents({ http, projectUrl, instanceOrigin: origin, signal }, records) : records;
    return withHistory.map((r) => ({ ...r, read }));
  }

  async function fetchOne(ref: string, o: { signal: AbortSignal; includeHistory?: boolean }): Promise<FetchOneResult> {
    const found = await fetchGitLabIssue({ http, projectUrl, instanceOrigin: origin, signal: o.signal }, config, ref);
    if (found.kind !== 'found') return found;
    const [record] = await withDepth([found.record as GitLabRecord], { comments: true, history: o.includeHistory === true }, o.signal);
    return { kind: 'found', record };
  }

  return {
    count,
    pages,
    fetchOne,
    attachmentContent: async (att, { signal, maxBytes }) => {
      // only uploads of this project, read with the token: a link elsewhere is not this source's file
      if (!isProjectUpload(att.source_url, projectUrl)) throw new SourceError('SOURCE_RESPONSE_INVALID', 'GitLab attachment is not an upload of this project');
      const res = await http.get<Buffer>(att.source_url, { responseType: 'bytes', maxBytes, signal });
      return { bytes: res.body, media_type: res.headers['content-type']?.split(';')[0]?.trim() || null };
    },
    normalize: (raw) => normalizeGitLab(raw, project, projectUrl),
    identify: identifyGitLab,
  };
}

/** `<projectUrl>/uploads/<32 hex>/<one segment>` exactly, so no spelling of the URL reaches another API path. */
function isProjectUpload(url: string | null, projectUrl: string): url is string {
  if (!url?.startsWith(`${projectUrl}/uploads/`)) return false;
  const rest = url.slice(projectUrl.length + '/uploads/'.length).split('/');
  return rest.length === 2 && /^[0-9a-f]{32}$/.test(rest[0]!) && uploadName(rest[1]!) && !/[?#]/.test(rest[1]!);
}

function classify(res: SourceResponse<string>, project: string): { code: 'SOURCE_AUTH_FAILED' | 'SOURCE_NOT_FOUND'; message: string } | null {
  if (res.status === 401) return { code: 'SOURCE_AUTH_FAILED', message: 'GitLab rejected the token (HTTP 401)' };
  if (res.status === 403) return { code: 'SOURCE_AUTH_FAILED', message: `GitLab token may not read issues of project ${project} (HTTP 403)` };
  if (res.status === 404) {
    return { code: 'SOURCE_NOT_FOUND', message: `GitLab project ${project} not found, or the token cannot see it (HTTP 404)` };
  }
  return null;
}
