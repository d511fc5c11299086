/**
 * A Jira fake (Cloud REST v3 or Data Center REST v2) built from Atlassian's public docs:
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
 *   POST /rest/api/3/search/jql: `fields` default is ids only, `nextPageToken` absent on the last
 *   page, maxResults silently capped; POST /rest/api/3/search/approximate-count → {"count":N}.
 * - https://developer.atlassian.com/changelog/#CHANGE-2046 : /rest/api/{2,3}/search removed on
 *   Cloud → 410 with the body clients observe (pycontribs/jira#2379).
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
 *   GET /rest/api/{3|2}/issue/{issueIdOrKey}: `fields` (comma list, `*all`, `*navigable`, `-name` to leave one
 *   out; default all fields, unlike the search), `expand` (comma list; `names` adds field id → name, unknown
 *   values are ignored); an unknown issue, or one the caller may not browse, is 404
 *   {"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}. The docs do
 *   not say how many comments the embedded `comment` field holds: like the search, at most `embedComments`, with
 *   the real `total`, so a client must page the rest from the comment endpoint.
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/
 *   GET /rest/api/{3|2}/issue/{id}/comment: startAt/maxResults/total, orderBy created|-created|+created.
 * - https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/ (email:token Basic);
 *   https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html (DC Bearer PAT).
 * - https://developer.atlassian.com/server/jira/platform/rest/v10005/api-group-search/ (DC startAt/total).
 * - https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (429 + Retry-After,
 *   X-RateLimit-Reset as `yyyy-MM-ddTHH:mmZ`). Error bodies: {"errorMessages":[…],"errors":{}}; a
 *   refused JQL is {"errorMessages":[…],"warningMessages":[]} (bodies quoted in e.g.
 *   tenable/integration-jira-cloud#25, solidify/jira-azuredevops-migrator#781).
 * - Failed Basic credentials carry `X-Seraph-LoginReason: AUTHENTICATED_FAILED` (JIRA REST docs as
 *   quoted in https://jira.atlassian.com/browse/ID-6351): a 401, or — `anonymousProjects` — the
 *   request is served as anonymous, 200 where anonymous may browse and the JQL 400 "does not exist"
 *   where not (ServiceNow KB2942093: "returns an HTTP 200 status code, but the response header
 *   contains an authentication failure indicator").
 * - Rate limiting (same page): a 429 carries Retry-After (seconds), X-RateLimit-Limit,
 *   X-RateLimit-Remaining, X-RateLimit-Reset (ISO, to the minute) and RateLimit-Reason
 *   (`jira-burst-based` for API-token traffic) — what `rate-limited` answers.
 * - Changelog, custom fields (names/schema expansions, GET /field) and attachment content: jira-depth.ts.
 * The shared driving interface and fault vocabulary are in vendor-fake.ts; `reply` answers any
 * status, body and headers (e.g. a 429 with only X-RateLimit-Reset). Latency and the request log
 * serve tests and benchmarks.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';
import { commentJson, issueFields, userJson, USERS, type FakeIssue, type Flavor } from './jira-data.js';
import { attachmentBytes, embeddedChangelog, fieldList, historyJson, namesOf, type FakeHistory } from './jira-depth.js';
import { JqlError, parseJql } from './jira-jql.js';
import { adversarialText, FaultQueue, logEntry, replayed, type CommonFault, type FakeRequest, type Targeted, type VendorFake } from './vendor-fake.js';

export interface JiraFakeOptions {
  flavor: Flavor;
  issues?: FakeIssue[];
  projects?: string[];
  email?: string;
  apiToken?: string;
  pat?: string;
  latencyMs?: number;
  /** Server-side cap on search maxResults (silently applied). */
  maxResults?: number;
  /** Comments embedded in a search result (enhanced search: 20). */
  embedComments?: number;
  /** Cap on the comment endpoint's maxResults. */
  commentPage?: number;
  /** Changelog entries `expand=changelog` embeds (Cloud /search/jql: 40; Data Center search and Cloud GET issue: 100). */
  embedHistories?: number;
  /** Cap on the changelog endpoint's maxResults (100). */
  changelogPage?: number;
  /** Cap on bulkfetch's maxResults (entries a page). */
  bulkPage?: number;
  /** Serve requests with failed credentials as anonymous (who may browse these projects) instead of a 401. */
  anonymousProjects?: string[];
}

/** Any answer at all: a status with this body and these headers. */
export interface JiraReplyFault {
  kind: 'reply';
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export type JiraFault = (CommonFault | JiraReplyFault) & Targeted<JiraRequest>;

export interface JiraRequest extends FakeRequest {
  /** the JSON body of a POST */
  body: Record<string, unknown> | null;
}

interface Reply {
  status: number;
  /** JSON, text, or bytes sent as they are */
  body: unknown;
  headers?: Record<string, string>;
}

const errors = (status: number, ...messages: string[]): Reply => ({ status, body: { errorMessages: messages, errors: {} } });
const NO_ISSUE = 'Issue does not exist or you do not have permission to see it.';
const jqlError = (message: string): Reply => ({ status: 400, body: { errorMessages: [message], warningMessages: [] } });
const AUTH_FAILED = { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED' };
const RATE_HEADERS = { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '0', 'RateLimit-Reason': 'jira-burst-based' };
/** X-RateLimit-Reset: `yyyy-MM-ddTHH:mmZ`, the minute the budget is back. */
const resetAt = (ms: number) => new Date(Math.ceil(ms / 60_000) * 60_000).toISOString().slice(0, 16) + 'Z';
const GONE = 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';

export class JiraFake implements VendorFake<JiraReplyFault, JiraRequest> {
  issues: FakeIssue[];
  readonly projects: Set<string>;
  requests: JiraRequest[] = [];
  /** Refuse every nextPageToken (as Jira does once one has expired). */
  rejectTokens = false;
  baseUrl = '';
  /** Requests that reached the media service (attachment content after Cloud's redirect) carrying credentials. */
  mediaRequestsWithCredentials = 0;
  /** Changelog entries the changelog endpoints serve at most per issue (a forced truncation); null = all. */
  changelogCap: number | null = null;
  private readonly faults = new FaultQueue<CommonFault | JiraReplyFault, JiraRequest>(
    (r) => /^\/rest\/api\/(3\/search\/jql|2\/search)$/.test(r.path) && r.body?.maxResults !== 0,
  );
  private server: Server | null = null;
  private readonly o: Required<Omit<JiraFakeOptions, 'issues' | 'projects' | 'anonymousProjects' | 'embedHistories'>> & { embedHistories: number | null };
  private readonly anonymousProjects: Set<string> | null;

  constructor(opts: JiraFakeOptions) {
    this.issues = opts.issues ?? [];
    this.projects = new Set(opts.projects ?? ['TEST']);
    this.anonymousProjects = opts.anonymousProjects ? new Set(opts.anonymousProjects) : null;
    this.o = {
      flavor: opts.flavor, email: opts.email ?? 'fred@example.com', apiToken: opts.apiToken ?? 'cloud-api-token-XYZ',
      pat: opts.pat ?? 'dc-personal-access-token-XYZ', latencyMs: opts.latencyMs ?? 0, maxResults: opts.maxResults ?? 100,
      embedComments: opts.embedComments ?? 20, commentPage: opts.commentPage ?? 100,
      embedHistories: opts.embedHistories ?? null, changelogPage: opts.changelogPage ?? 100, bulkPage: opts.bulkPage ?? 1000,
    };
  }

  get credentials(): { email: string; api_token: string } | { personal_access_token: string } {
    return this.o.flavor === 'cloud' ? { email: this.o.email, api_token: this.o.apiToken } : { personal_access_token: this.o.pat };
  }

  async start(port = 0): Promise<string> {
    ({ server: this.server, origin: this.baseUrl } = await listenLoopback((req, res) => this.handle(req, res), port));
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  /** `hostile`: the first issue's description is adversarial text, with a code block of bare newlines. */
  inject(fault: JiraFault): void {
    if (fault.kind !== 'hostile') return this.faults.push(fault);
    const bytes = fault.bytes ?? 1_000_000;
    Object.assign(this.issues[0]!, { description: adversarialText(bytes * 0.75), code: `${'\n'.repeat(bytes / 4)}end` });
  }

  /** The issue with this id or key, if any. */
  issue(idOrKey: number | string): FakeIssue | undefined {
    return this.issues.find((i) => String(i.id) === String(idOrKey) || i.key === idOrKey);
  }

  /** Edits an issue as a user would: `updated` moves to now. */
  edit(idOrKey: number | string, patch: Partial<Pick<FakeIssue, 'summary' | 'description' | 'status' | 'labels'>>, now = Date.now()): FakeIssue {
    const issue = this.issue(idOrKey);
    if (!issue) throw new Error(`no issue ${idOrKey}`);
    return Object.assign(issue, patch, { updatedMs: now });
  }

  /** A new comment by the first user; like Jira, it touches the issue's `updated`. */
  addComment(idOrKey: number | string, body: string, now = Date.now()): void {
    const issue = this.edit(idOrKey, {}, now);
    const id = Math.max(0, ...this.issues.flatMap((i) => i.comments.map((c) => c.id))) + 1;
    issue.comments.push({ id, author: USERS[0]!, body, createdMs: now, restricted: false });
  }

  /** Deletes an issue (with its comments): it answers 404 from then on. */
  remove(idOrKey: number | string): void {
    this.issues = this.issues.filter((i) => !(String(i.id) === String(idOrKey) || i.key === idOrKey));
  }

  /** Changes issues as a user would: new summary, updated now. */
  touch(ids: number[], now = Date.now()): void {
    for (const issue of this.issues) {
      if (ids.includes(issue.id)) Object.assign(issue, { summary: `${issue.summary} (edited)`, updatedMs: now });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: JiraRequest = { ...logEntry(req), body: null };
    this.requests.push(entry);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      entry.body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : null;
    } catch {
      entry.body = null;
    }
    const url = new URL(entry.target, 'http://fake');
    const fault = this.faults.take(entry);
    const answer = () => this.route(req, url, entry.body);
    const reply = fault?.kind === 'loop' ? replayed(fault, answer) : (fault && this.faultReply(fault)) ?? answer();
    entry.status = reply.status;
    const delay = this.o.latencyMs + (fault?.kind === 'slow' ? fault.delayMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (res.destroyed) return;
    const text = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(text.length), ...reply.headers });
    if (fault?.kind === 'truncate') res.write(text.subarray(0, Math.floor(text.length / 2)), () => res.destroy());
    else res.end(text);
  }

  /** The answer a fault replaces the real one with; null when the real answer goes out (late or cut). */
  private faultReply(fault: CommonFault | JiraReplyFault): Reply | null {
    switch (fault.kind) {
      case 'reply':
        return { status: fault.status, body: fault.body ?? '', headers: fault.headers };
      case 'status':
        return errors(fault.status, 'Internal server error');
      case 'unauthorized':
        return this.unauthorized();
      case 'rate-limited': {
        const headers = { ...RATE_HEADERS, 'Retry-After': String(fault.retryAfterSec), 'X-RateLimit-Reset': resetAt(Date.now() + fault.retryAfterSec * 1000) };
        return { ...errors(429, 'Rate limit exceeded.'), headers };
      }
      default:
        return null;
    }
  }

  private unauthorized(): Reply {
    const message = this.o.flavor === 'cloud' ? 'Client must be authenticated to access this resource.' : 'You are not authenticated. Authentication required to perform this operation.';
    return { ...errors(401, message), headers: AUTH_FAILED };
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    if (this.o.flavor === 'dc') return auth === `Bearer ${this.o.pat}`;
    return auth === `Basic ${Buffer.from(`${this.o.email}:${this.o.apiToken}`).toString('base64')}`;
  }

  /** Projects the current request's user may browse (set per request by serve). */
  private viewer = new Set<string>();

  private serve(req: IncomingMessage, url: URL, body: Record<string, unknown> | null, viewer: Set<string>): Reply {
    this.viewer = viewer;
    const path = url.pathname;
    const cloud = this.o.flavor === 'cloud';
    const params = { ...Object.fromEntries(url.searchParams), ...(body ?? {}) } as Record<string, unknown>;
    try {
      if (cloud && path === '/rest/api/3/search/jql') return this.searchCloud(params);
      if (cloud && path === '/rest/api/3/search/approximate-count' && req.method === 'POST') return this.approximateCount(params);
      if (!cloud && path === '/rest/api/2/search') return this.searchDc(params);
    } catch (err) {
      if (err instanceof JqlError) return jqlError(err.message);
      throw err;
    }
    const issue = new RegExp(`^/rest/api/${cloud ? 3 : 2}/issue/([^/]+)(/comment|/changelog)?$`).exec(path);
    if (issue && req.method === 'GET') {
      const idOrKey = decodeURIComponent(issue[1]!);
      if (issue[2] === '/comment') return this.comments(idOrKey, url.searchParams);
      // Data Center has no changelog endpoint: its GET issue with expand=changelog carries the whole changelog
      if (issue[2] === '/changelog') return cloud ? this.changelog(idOrKey, url.searchParams) : errors(404, 'Not found');
      return this.single(idOrKey, url.searchParams);
    }
    if (cloud && path === '/rest/api/3/changelog/bulkfetch' && req.method === 'POST') return this.bulkChangelog(body ?? {});
    if (path === `/rest/api/${cloud ? 3 : 2}/field` && req.method === 'GET') return { status: 200, body: fieldList() };
    const content = (cloud ? /^\/rest\/api\/3\/attachment\/content\/(\d+)$/ : /^\/secure\/attachment\/(\d+)\/[^/]+$/).exec(path);
    if (content && req.method === 'GET') return this.attachment(Number(content[1]), cloud);
    return errors(404, 'Not found');
  }

  /** Routes a request; failed credentials get a 401 or, with `anonymousProjects`, an anonymous view. Both carry the Seraph header. */
  private route(req: IncomingMessage, url: URL, body: Record<string, unknown> | null): Reply {
    const cloud = this.o.flavor === 'cloud';
    if (cloud && /^\/rest\/api\/(2|3|latest)\/search\/?$/.test(url.pathname)) return errors(410, GONE);
    if (cloud && /^\/file\/[^/]+\/binary$/.test(url.pathname)) return this.media(req, url);
    if (this.authorized(req)) return this.serve(req, url, body, this.projects);
    if (this.anonymousProjects === null) return this.unauthorized();
    return { ...this.serve(req, url, body, this.anonymousProjects), headers: AUTH_FAILED };
  }

  private select(jql: unknown): FakeIssue[] {
    const q = parseJql(String(jql ?? ''), this.viewer);
    if (!q.bounded) throw new JqlError('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
    const now = Date.now();
    const list = this.issues.filter((i) => this.viewer.has(i.project) && q.matches(i, now)).sort((a, b) => a.id - b.id);
    return q.descending ? list.reverse() : list;
  }

  private fields(issue: FakeIssue, wanted: unknown): Record<string, unknown> {
    const all = issueFields(issue, this.o.flavor, this.baseUrl, this.o.embedComments);
    const list = Array.isArray(wanted) ? wanted.map(String) : typeof wanted === 'string' ? wanted.split(',').map((f) => f.trim()) : null;
    if (list === null) return all; // Data Center default: *navigable
    const left = new Set(list.filter((f) => f.startsWith('-')).map((f) => f.slice(1)));
    const every = list.includes('*all') || list.includes('*navigable') || (list.length > 0 && list.every((f) => f.startsWith('-')));
    const names = every ? Object.keys(all) : list;
    return Object.fromEntries(names.filter((f) => f in all && all[f] !== undefined && !left.has(f)).map((f) => [f, all[f]]));
  }

  /** GET issue: all fields unless `fields` says otherwise, `names` on request. */
  private single(idOrKey: string, q: URLSearchParams): Reply {
    const issue = this.issue(idOrKey);
    if (!issue || !this.viewer.has(issue.project)) return errors(404, NO_ISSUE);
    const wanted = q.getAll('fields');
    const fields = this.fields(issue, wanted.length > 0 ? wanted.join(',') : '*all');
    const expand = expansions(q.get('expand'));
    const v = this.o.flavor === 'cloud' ? 3 : 2;
    const { names, schema } = namesOf(Object.keys(fields));
    return {
      status: 200,
      body: {
        expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: String(issue.id),
        self: `${this.baseUrl}/rest/api/${v}/issue/${issue.id}`, key: issue.key, fields,
        ...(expand.has('names') && { names }),
        ...(expand.has('schema') && { schema }),
        // Cloud cuts the embedded changelog at 100 (page the rest); Data Center's GET issue embeds it whole
        ...(expand.has('changelog') && { changelog: this.embedded(issue, this.o.flavor === 'cloud' ? 100 : Infinity) }),
      },
    };
  }

  private issueJson(issue: FakeIssue, wanted: unknown, expand: Set<string>): unknown {
    // Cloud /search/jql without `fields`: "returns only issue IDs" (no key, no fields object).
    if (this.o.flavor === 'cloud' && wanted === undefined) return { id: String(issue.id) };
    const v = this.o.flavor === 'cloud' ? 3 : 2;
    const fields = this.fields(issue, wanted);
    const limit = this.o.embedHistories ?? (this.o.flavor === 'cloud' ? 40 : 100);
    return {
      expand: 'renderedFields,names,schema', id: String(issue.id), self: `${this.baseUrl}/rest/api/${v}/issue/${issue.id}`, key: issue.key, fields,
      ...(expand.has('changelog') && { changelog: this.embedded(issue, limit) }),
    };
  }

  /** A search page's `names` / `schema` expansions: every field of its issues. */
  private pageNames(issues: unknown[], expand: Set<string>): Record<string, unknown> {
    if (!expand.has('names') && !expand.has('schema')) return {};
    const ids = new Set(issues.flatMap((i) => Object.keys((i as { fields?: object }).fields ?? {})));
    const { names, schema } = namesOf(ids);
    return { ...(expand.has('names') && { names }), ...(expand.has('schema') && { schema }) };
  }

  private user = (u: Parameters<typeof userJson>[0]) => userJson(u, this.o.flavor, this.baseUrl);
  private history = (h: FakeHistory) => historyJson(h, this.o.flavor, (u) => this.user(u));

  private embedded(issue: FakeIssue, limit: number): unknown {
    return embeddedChangelog(issue, limit, this.history);
  }

  /** The entries the changelog endpoints serve for an issue, oldest first (cut by changelogCap, total unchanged). */
  private served(issue: FakeIssue): FakeHistory[] {
    const all = [...(issue.history ?? [])].sort((a, b) => a.createdMs - b.createdMs || a.id - b.id);
    return this.changelogCap === null ? all : all.slice(0, this.changelogCap);
  }

  /** GET /issue/{id}/changelog: PageBeanChangelog, oldest first. */
  private changelog(idOrKey: string, q: URLSearchParams): Reply {
    const issue = this.issue(idOrKey);
    if (!issue || !this.viewer.has(issue.project)) return errors(404, NO_ISSUE);
    const startAt = Math.max(0, Number(q.get('startAt') ?? 0) || 0);
    const max = Math.min(this.o.changelogPage, Number(q.get('maxResults') ?? 100) || 100);
    const total = issue.history?.length ?? 0;
    const values = this.served(issue).slice(startAt, startAt + max).map(this.history);
    const isLast = startAt + max >= total;
    const self = `${this.baseUrl}/rest/api/3/issue/${issue.id}/changelog`;
    return { status: 200, body: { self, ...(!isLast && { nextPage: `${self}?startAt=${startAt + max}&maxResults=${max}` }), maxResults: max, startAt, total, isLast, values } };
  }

  /** POST /changelog/bulkfetch: entries of up to 1000 issues, oldest entry then smallest issue id first, paged by token. */
  private bulkChangelog(p: Record<string, unknown>): Reply {
    const refs = Array.isArray(p.issueIdsOrKeys) ? p.issueIdsOrKeys.map(String) : [];
    if (refs.length === 0 || refs.length > 1000) return errors(400, 'issueIdsOrKeys must contain between 1 and 1000 issues.');
    const issues = refs.map((r) => this.issue(r)).filter((i): i is FakeIssue => i !== undefined && this.viewer.has(i.project));
    const entries = issues.flatMap((i) => this.served(i).map((h) => ({ issueId: i.id, h })))
      .sort((a, b) => a.h.createdMs - b.h.createdMs || a.issueId - b.issueId || a.h.id - b.h.id);
    let start = 0;
    if (p.nextPageToken !== undefined && p.nextPageToken !== null) {
      const t = decodeToken(String(p.nextPageToken));
      if (t === null || t.jql !== refs.join(',')) return errors(400, 'The provided next page token is invalid or expired.');
      start = t.lastId;
    }
    const max = Math.max(1, Math.min(this.o.bulkPage, Number(p.maxResults ?? 1000) || 1000));
    const page = entries.slice(start, start + max);
    const groups: { issueId: string; changeHistories: unknown[] }[] = [];
    for (const e of page) {
      const last = groups.at(-1);
      if (last?.issueId === String(e.issueId)) last.changeHistories.push(this.history(e.h));
      else groups.push({ issueId: String(e.issueId), changeHistories: [this.history(e.h)] });
    }
    const more = start + max < entries.length;
    return { status: 200, body: { issueChangeLogs: groups, ...(more && { nextPageToken: encodeToken({ jql: refs.join(','), lastId: start + max }) }) } };
  }

  /** Attachment content: Cloud answers 303 to the media service (another origin, a token in the URL); Data Center serves the bytes. */
  private attachment(id: number, cloud: boolean): Reply {
    const found = this.issues.flatMap((i) => (this.viewer.has(i.project) ? i.attachments : [])).find((a) => a.id === id);
    if (!found) return errors(404, 'The attachment with id ' + id + ' does not exist.');
    if (!cloud) return { status: 200, body: attachmentBytes(id, found.size), headers: { 'content-type': found.mimeType ?? 'image/png' } };
    const media = this.baseUrl.replace('127.0.0.1', 'localhost');
    const token = Buffer.from(JSON.stringify({ id, exp: Date.now() + 600_000 })).toString('base64url');
    return { status: 303, body: '', headers: { Location: `${media}/file/${id}-uuid/binary?token=${token}&client=fake-client&name=${encodeURIComponent(found.filename)}` } };
  }

  /** The media service: its own token in the URL, no Jira credential (a credential arriving here is counted). */
  private media(req: IncomingMessage, url: URL): Reply {
    if (req.headers.authorization !== undefined) this.mediaRequestsWithCredentials++;
    let id: number | null = null;
    try {
      const t = JSON.parse(Buffer.from(url.searchParams.get('token') ?? '', 'base64url').toString('utf8')) as { id?: unknown; exp?: unknown };
      if (typeof t.id === 'number' && typeof t.exp === 'number' && t.exp > Date.now()) id = t.id;
    } catch {
      id = null;
    }
    const found = this.issues.flatMap((i) => i.attachments).find((a) => a.id === id);
    if (!found || !url.pathname.startsWith(`/file/${id}-`)) return { status: 401, body: { error: 'token invalid' } };
    return { status: 200, body: attachmentBytes(found.id, found.size), headers: { 'content-type': found.mimeType ?? 'image/png' } };
  }

  private pageSize(p: Record<string, unknown>, def: number): number {
    const n = Number(p.maxResults ?? def);
    return Math.max(0, Math.min(this.o.maxResults, Number.isFinite(n) ? n : def));
  }

  private searchCloud(p: Record<string, unknown>): Reply {
    const jql = String(p.jql ?? '');
    const list = this.select(jql);
    let start = 0;
    if (p.nextPageToken !== undefined) {
      const t = decodeToken(String(p.nextPageToken));
      if (this.rejectTokens || t === null || t.jql !== jql) return errors(400, 'The provided next page token is invalid or expired.');
      // The token holds a position in id order, so issues changed meanwhile neither repeat nor vanish.
      start = list.findIndex((i) => i.id > t.lastId);
      if (start < 0) start = list.length;
    }
    const page = list.slice(start, start + this.pageSize(p, 50));
    const isLast = start + page.length >= list.length;
    const last = page.at(-1);
    const token = isLast || !last ? {} : { nextPageToken: encodeToken({ jql, lastId: last.id }) };
    const expand = expansions(p.expand);
    const issues = page.map((i) => this.issueJson(i, p.fields, expand));
    return { status: 200, body: { issues, ...token, isLast, ...this.pageNames(issues, expand) } };
  }

  private approximateCount(p: Record<string, unknown>): Reply {
    return { status: 200, body: { count: this.select(p.jql).length } };
  }

  private searchDc(p: Record<string, unknown>): Reply {
    const list = this.select(p.jql);
    const startAt = Math.max(0, Number(p.startAt ?? 0) || 0);
    const max = this.pageSize(p, 50);
    const page = list.slice(startAt, startAt + max);
    const expand = expansions(p.expand);
    const issues = page.map((i) => this.issueJson(i, p.fields, expand));
    return { status: 200, body: { expand: 'schema,names', startAt, maxResults: max, total: list.length, issues, ...this.pageNames(issues, expand) } };
  }

  private comments(idOrKey: string, q: URLSearchParams): Reply {
    const issue = this.issue(idOrKey);
    if (!issue || !this.viewer.has(issue.project)) return errors(404, NO_ISSUE);
    const orderBy = q.get('orderBy');
    if (orderBy !== null && !['created', '-created', '+created'].includes(orderBy)) return errors(400, `Invalid orderBy: ${orderBy}`);
    const startAt = Math.max(0, Number(q.get('startAt') ?? 0) || 0);
    const max = Math.min(this.o.commentPage, Number(q.get('maxResults') ?? 100) || 100);
    const sorted = [...issue.comments].sort((a, b) => (orderBy === '-created' ? b.createdMs - a.createdMs : a.createdMs - b.createdMs));
    const page = sorted.slice(startAt, startAt + max).map((c) => commentJson(c, issue.id, this.o.flavor, this.baseUrl));
    return { status: 200, body: { startAt, maxResults: max, total: issue.comments.length, comments: page } };
  }
}

/** `expand` as a comma-delimited string (Cloud /search/jql, GET issue) or a list (Data Center search). */
function expansions(v: unknown): Set<string> {
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
  return new Set(list.map((e) => e.trim()).filter((e) => e !== ''));
}

function encodeToken(t: { jql: string; lastId: number }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(s: string): { jql: string; lastId: number } | null {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { jql?: unknown; lastId?: unknown };
    return typeof t.jql === 'string' && typeof t.lastId === 'number' ? { jql: t.jql, lastId: t.lastId } : null;
  } catch {
    return null;
  }
}
