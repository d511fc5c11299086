/**
 * A GitLab REST v4 fake built from GitLab's public documentation:
 * - https://docs.gitlab.com/api/issues/#list-project-issues (filters, order_by/sort, shapes)
 * - https://docs.gitlab.com/api/issues/#single-project-issue (GET /projects/:id/issues/:issue_iid; an unknown iid
 *   is 404 {"message":"404 Not found"}, the body GitLab's API gives any missing record)
 * - https://docs.gitlab.com/api/notes/#list-project-issue-notes (default sort desc, system notes mixed in; `sort`
 *   asc|desc and `order_by` created_at|updated_at, any other value refused by the parameter validation with 400)
 * - https://docs.gitlab.com/api/projects/#get-a-single-project (GET /projects/:id by id or URL-encoded path)
 * - https://docs.gitlab.com/api/issues_statistics/ (counts all/closed/opened, filters such as updated_after)
 * - https://docs.gitlab.com/api/resource_state_events/, /resource_label_events/, /resource_milestone_events/
 *   (GET /projects/:id/issues/:iid/resource_<kind>_events, offset paging, 404 for an unknown issue)
 * - https://docs.gitlab.com/api/project_markdown_uploads/#download-an-uploaded-file-by-secret-and-filename
 *   (GET /projects/:id/uploads/:secret/:filename, GitLab 17.4: the file's bytes; 404 {"message":"404 Not found"})
 * - https://docs.gitlab.com/api/rest/ (URL-encoded `group%2Fproject` ids, offset + keyset paging,
 *   headers omitted above 10,000 records; keyset for project issues since GitLab 18.3)
 * - https://docs.gitlab.com/api/rest/authentication/ (PRIVATE-TOKEN or Bearer; 401 {"message":"401 Unauthorized"})
 * - https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/ (RateLimit-* on every
 *   response; 429 with Retry-After, RateLimit-ResetTime and a plain-text `Retry later` body)
 * - https://docs.gitlab.com/api/graphql/ for POST /api/graphql (gitlab-graphql.ts, its sources at its
 *   top): the same token headers as REST, and the same throttle, which counts every request to the API
 * The shared driving interface and fault vocabulary are in vendor-fake.ts: `rate-limited` is the throttle's 429
 * (plain-text `Retry later`, Retry-After, RateLimit-ResetTime and the RateLimit-* headers, user_and_ip_rate_limits
 * above); `unauthorized` the 401 of the authentication page; `hostile` the first issue's Markdown description.
 * `reply` answers any status, body and headers. Latency and the request log serve tests and benchmarks.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';
import { GitLabProject, uploadBytes, type FakeIssue } from './gitlab-data.js';
import { answerGraphQL, MAX_COMPLEXITY } from './gitlab-graphql.js';
import { keysetPage, offsetPage, sortRecords, type PageReply } from './gitlab-paging.js';
import { adversarialText, FaultQueue, logEntry, replayed, type CommonFault, type FakeRequest, type Targeted, type VendorFake } from './vendor-fake.js';

export interface GitLabFakeOptions {
  token?: string;
  projectId?: number;
  projectPath?: string;
  /** Matching records above which x-total, x-total-pages and rel="last" are left out (GitLab: 10,000). */
  totalsThreshold?: number;
  /**
   * 'supported' (GitLab ≥ 18.3), 'ignored' (older, flag off: offset answer), 'refused' (405, as
   * lib/api/helpers/pagination_strategies.rb answers a resource without keyset support), 'refused-501'
   * (GitLab 13.0-13.1 answered 501 when its api_keyset_pagination flag was on).
   */
  keyset?: 'supported' | 'ignored' | 'refused' | 'refused-501';
  latencyMs?: number;
  /** Authenticated API throttle: `limit` requests per `windowMs` window aligned to the epoch. */
  rateLimit?: { limit: number; windowMs: number };
  /** 'absent': no GraphQL endpoint (404, as a route the server lacks); default 'supported'. */
  graphql?: 'supported' | 'absent';
  /** GraphQL complexity limit (GitLab: 250 authenticated). */
  maxComplexity?: number;
  /** 'ce': a Community Edition server, whose GraphQL schema lacks the Premium fields; default 'ee' (gitlab.com) */
  edition?: 'ee' | 'ce';
}

/** Any answer at all: a status with this body and these headers. */
export interface GitLabReplyFault {
  kind: 'reply';
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export type GitLabFault = (CommonFault | GitLabReplyFault) & Targeted<GitLabRequest>;

export interface GitLabRequest extends FakeRequest {
  headers: IncomingMessage['headers'];
  /** POST /api/graphql: the issue page it asked for (`after`, null for the first) and the iids whose notes it returned */
  graphql?: { after: string | null; notesOf: number[] };
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** a binary body (an upload's content), sent instead of `body` */
  bytes?: Buffer;
  graphql?: GitLabRequest['graphql'];
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Page requests of the issue list (not the `per_page=1` count probe). */
const ISSUE_LIST = /^\/api\/v4\/projects\/[^/]+\/issues$/;
const GRAPHQL = '/api/graphql';

const UNAUTHORIZED = () => json(401, { message: '401 Unauthorized' });
/** The throttle's answer: plain text, not JSON. */
const RETRY_LATER = (retryAfterSec: number): Reply => ({ status: 429, headers: { 'content-type': 'text/plain', 'retry-after': String(retryAfterSec) }, body: 'Retry later\n' });

export class GitLabFake implements VendorFake<GitLabReplyFault, GitLabRequest> {
  readonly project: GitLabProject;
  requests: GitLabRequest[] = [];
  /** 429s answered by the throttle (not injected ones). */
  throttled = 0;
  readonly token: string;
  private readonly faults = new FaultQueue<CommonFault | GitLabReplyFault, GitLabRequest>(
    (r) => (ISSUE_LIST.test(r.path) && r.query.get('per_page') !== '1') || r.path === GRAPHQL,
  );
  private server: Server | null = null;
  private window = { index: -1, observed: 0 };
  baseUrl = '';

  constructor(readonly opts: GitLabFakeOptions = {}) {
    this.token = opts.token ?? 'glpat-fake-token-0123456789';
    this.project = new GitLabProject(opts.projectId ?? 42, opts.projectPath ?? 'acme/platform/api');
  }

  async start(port = 0): Promise<string> {
    ({ server: this.server, origin: this.baseUrl } = await listenLoopback((req, res) => this.handle(req, res), port));
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  inject(fault: GitLabFault): void {
    if (fault.kind !== 'hostile') return this.faults.push(fault);
    this.project.issues[0]!.description = adversarialText(fault.bytes);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: GitLabRequest = { ...logEntry(req), headers: req.headers };
    this.requests.push(entry);
    const body = req.method === 'POST' ? await readBody(req) : '';
    const url = new URL(entry.target, `http://${req.headers.host ?? '127.0.0.1'}`);
    const throttle = this.throttle(entry.at);
    const fault = throttle.limited ? null : this.faults.take(entry);
    const answer = () => (entry.path === GRAPHQL ? this.graphql(req, body) : this.route(req, url, entry.path));
    let reply: Reply;
    if (throttle.limited) reply = RETRY_LATER(throttle.retryAfterSec);
    else if (fault?.kind === 'loop') reply = replayed(fault, answer);
    else reply = (fault && this.faultReply(fault)) ?? answer();
    reply = { ...reply, headers: { ...reply.headers, ...throttle.headers } };
    entry.status = reply.status;
    if (reply.graphql) entry.graphql = reply.graphql;
    const delay = (this.opts.latencyMs ?? 0) + (fault?.kind === 'slow' ? fault.delayMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const out = reply.bytes ?? Buffer.from(reply.body);
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(out.length) });
    if (fault?.kind === 'truncate') {
      res.write(out.subarray(0, Math.floor(out.length / 2)), () => res.destroy());
      return;
    }
    res.end(out);
  }

  /**
   * POST /api/graphql. A wrong token is a 401 with a GraphQL error; no token at all is an
   * anonymous request, which cannot see this private project (`project` is null) and has the
   * lower complexity limit of 200. Every answer, errors included, is HTTP 200.
   */
  private graphql(req: IncomingMessage, body: string): Reply {
    if (this.opts.graphql === 'absent' || req.method !== 'POST') return json(404, { error: '404 Not Found' });
    const given = req.headers['private-token'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (given !== undefined && given !== this.token) return json(401, { errors: [{ message: 'Invalid token' }] });
    const answer = given === undefined
      ? answerGraphQL(this.project, body, { maxComplexity: 200, visible: false })
      : answerGraphQL(this.project, body, { maxComplexity: this.opts.maxComplexity ?? MAX_COMPLEXITY, visible: true, communityEdition: this.opts.edition === 'ce' });
    return { ...json(200, answer.body), ...(answer.read ? { graphql: answer.read } : {}) };
  }

  /** The answer a fault replaces the real one with; null when the real answer goes out (late or cut). */
  private faultReply(fault: CommonFault | GitLabReplyFault): Reply | null {
    switch (fault.kind) {
      case 'reply':
        return { status: fault.status, headers: { ...fault.headers }, body: fault.body ?? '' };
      case 'status':
        return json(fault.status, { message: `${fault.status} Internal Server Error` });
      case 'unauthorized':
        return UNAUTHORIZED();
      case 'rate-limited': {
        const reset = Date.now() + fault.retryAfterSec * 1000;
        const limited = RETRY_LATER(fault.retryAfterSec);
        const headers = { ...limited.headers, 'ratelimit-name': 'throttle_authenticated_api', 'ratelimit-limit': '2000', 'ratelimit-observed': '2001', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(reset / 1000)), 'ratelimit-resettime': new Date(reset).toUTCString() };
        return { ...limited, headers };
      }
      default:
        return null;
    }
  }

  /** Rack::Attack counts every request in the window, refused ones included. */
  private throttle(now: number): { limited: boolean; retryAfterSec: number; headers: Record<string, string> } {
    const rl = this.opts.rateLimit;
    if (!rl) return { limited: false, retryAfterSec: 0, headers: {} };
    const index = Math.floor(now / rl.windowMs);
    if (index !== this.window.index) this.window = { index, observed: 0 };
    this.window.observed += 1;
    const end = (index + 1) * rl.windowMs;
    const limited = this.window.observed > rl.limit;
    const headers: Record<string, string> = {
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(Math.round((rl.limit * 60_000) / rl.windowMs)),
      'ratelimit-observed': String(this.window.observed),
      'ratelimit-remaining': String(Math.max(0, rl.limit - this.window.observed)),
      'ratelimit-reset': String(Math.ceil(end / 1000)),
    };
    const retryAfterSec = Math.max(1, Math.ceil((end - now) / 1000));
    if (limited) {
      this.throttled += 1;
      headers['ratelimit-resettime'] = new Date(end).toUTCString();
    }
    return { limited, retryAfterSec, headers };
  }

  private route(req: IncomingMessage, url: URL, rawPath: string): Reply {
    const given = req.headers['private-token'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (given !== this.token) return UNAUTHORIZED();
    // [^/]+ : an un-encoded slash in the project path matches no API route, as on GitLab
    const up = /^\/api\/v4\/projects\/([^/]+)\/uploads\/([0-9a-f]{32})\/([^/]+)$/.exec(rawPath);
    if (up && req.method === 'GET') {
      if (!this.isProject(up[1]!)) return json(404, { message: '404 Project Not Found' });
      return this.upload(`${up[2]}/${up[3]}`);
    }
    const m = /^\/api\/v4\/projects\/([^/]+)(?:\/(issues_statistics|issues)(?:\/(\d+)(\/notes|\/resource_(?:state|label|milestone)_events)?)?)?$/.exec(rawPath);
    if (!m || req.method !== 'GET' || (m[2] === 'issues_statistics' && m[3])) return json(404, { error: '404 Not Found' });
    if (!this.isProject(m[1]!)) return json(404, { message: '404 Project Not Found' });
    if (!m[2]) return json(200, this.project.json());
    if (m[2] === 'issues_statistics') return this.statistics(url);
    if (m[4]?.startsWith('/resource_')) return this.events(Number(m[3]), m[4].split('_')[1] as 'state', url);
    if (m[4]) return this.notes(Number(m[3]), url);
    if (m[3]) return this.single(Number(m[3]));
    return this.issues(url);
  }

  private isProject(encoded: string): boolean {
    const ref = decodeURIComponent(encoded);
    return ref === String(this.project.id) || ref === this.project.path;
  }

  /** Oldest first (GitLab lists events by id), offset paging like every list. */
  private events(iid: number, kind: 'state' | 'label' | 'milestone', url: URL): Reply {
    const events = this.project.events.get(iid);
    if (!events || !this.project.issues.some((i) => i.iid === iid)) return json(404, { message: '404 Not found' });
    const page = offsetPage(events[kind], url, this.opts.totalsThreshold ?? 10_000);
    return json(200, page.items, page.headers);
  }

  private upload(key: string): Reply {
    const upload = this.project.uploads.get(key);
    if (!upload) return json(404, { message: '404 Not found' });
    const name = decodeURIComponent(upload.filename);
    const type = name.endsWith('.png') ? 'image/png' : 'application/octet-stream';
    return { status: 200, headers: { 'content-type': type, 'content-disposition': `attachment; filename="${name.replace(/"/g, '')}"` }, body: '', bytes: uploadBytes(upload) };
  }

  /** The single-issue answer adds `subscribed` (the caller's subscription) to the list's shape. */
  private single(iid: number): Reply {
    const issue = this.project.issues.find((i) => i.iid === iid);
    return issue ? json(200, { ...issue, subscribed: false }) : json(404, { message: '404 Not found' });
  }

  private matching(q: URLSearchParams, state: string | null): FakeIssue[] {
    const after = q.get('updated_after') ? Date.parse(q.get('updated_after')!) : null;
    return this.project.issues.filter(
      (i: FakeIssue) => (!state || state === 'all' || i.state === state) && (after === null || Date.parse(i.updated_at) >= after),
    );
  }

  /** Counted whatever the number: no 10,000 cut-off here. */
  private statistics(url: URL): Reply {
    const rows = this.matching(url.searchParams, null);
    const opened = rows.filter((i) => i.state === 'opened').length;
    return json(200, { statistics: { counts: { all: rows.length, closed: rows.length - opened, opened } } });
  }

  private issues(url: URL): Reply {
    const q = url.searchParams;
    const orderBy = q.get('order_by') ?? 'created_at';
    const sort = q.get('sort') ?? 'desc';
    const sorted = sortRecords(this.matching(q, q.get('state')), orderBy, sort);
    const keyset = q.get('pagination') === 'keyset' ? (this.opts.keyset ?? 'supported') : null;
    // Grape's error! puts the text under `error` (spec/requests/api: json_response['error']).
    if (keyset === 'refused') return json(405, { error: 'Keyset pagination is not yet available for this type of request' });
    if (keyset === 'refused-501') return json(501, { error: 'Keyset pagination is not yet available for this type of request' });
    const page: PageReply =
      keyset === 'supported'
        ? keysetPage(sorted, url, orderBy, sort)
        : offsetPage(sorted, url, this.opts.totalsThreshold ?? 10_000);
    return json(200, page.items, page.headers);
  }

  private notes(iid: number, url: URL): Reply {
    const notes = this.project.notes.get(iid);
    if (!notes) return json(404, { message: '404 Not found' });
    const q = url.searchParams;
    // Grape's `values:` validation: {"error":"<param> does not have a valid value"}
    for (const [name, allowed] of [['sort', ['asc', 'desc']], ['order_by', ['created_at', 'updated_at']]] as const) {
      const v = q.get(name);
      if (v !== null && !(allowed as readonly string[]).includes(v)) return json(400, { error: `${name} does not have a valid value` });
    }
    const sorted = sortRecords(notes, q.get('order_by') ?? 'created_at', q.get('sort') ?? 'desc');
    const page = offsetPage(sorted, url, this.opts.totalsThreshold ?? 10_000);
    return json(200, page.items, page.headers);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
