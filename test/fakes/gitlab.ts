/**
 * A GitLab REST v4 fake built from GitLab's public documentation:
 * - https://docs.gitlab.com/api/issues/#list-project-issues (filters, order_by/sort, shapes)
 * - https://docs.gitlab.com/api/notes/#list-project-issue-notes (default sort desc, system notes mixed in)
 * - https://docs.gitlab.com/api/issues_statistics/ (counts all/closed/opened, filters such as updated_after)
 * - https://docs.gitlab.com/api/rest/ (URL-encoded `group%2Fproject` ids, offset + keyset paging,
 *   headers omitted above 10,000 records; keyset for project issues since GitLab 18.3)
 * - https://docs.gitlab.com/api/rest/authentication/ (PRIVATE-TOKEN or Bearer; 401 {"message":"401 Unauthorized"})
 * - https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/ (RateLimit-* on every
 *   response; 429 with Retry-After, RateLimit-ResetTime and a plain-text `Retry later` body)
 * Faults (5xx, 429, slow, truncated, a next link that loops, pages that never end), latency and a request log
 * serve the tests and benchmarks.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';
import { GitLabProject, type FakeIssue } from './gitlab-data.js';
import { keysetPage, offsetPage, sortRecords, type PageReply } from './gitlab-paging.js';

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
}

export interface Fault {
  /** Applies to requests whose path+query matches; default all. */
  match?: RegExp;
  /** How many requests it hits (default 1; Infinity for a persistent fault). */
  times?: number;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Send the real answer but cut the body half-way and drop the connection. */
  truncate?: boolean;
  /** Hold the answer this long first. */
  delayMs?: number;
  /** The real answer, but its rel="next" points back at this very request (a link that does not advance). */
  loop?: boolean;
  /** Answer as if `page` were 1 whatever was asked, and always name page+1 as next (a list that never ends). */
  endless?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  url: URL;
  headers: IncomingMessage['headers'];
  status: number;
  /** arrival, epoch ms */
  at: number;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export class GitLabFake {
  readonly project: GitLabProject;
  readonly requests: LoggedRequest[] = [];
  /** 429s answered by the throttle (not injected ones). */
  throttled = 0;
  readonly token: string;
  private readonly faults: (Fault & { left: number })[] = [];
  private server: Server | null = null;
  private window = { index: -1, observed: 0 };
  baseUrl = '';

  constructor(readonly opts: GitLabFakeOptions = {}) {
    this.token = opts.token ?? 'glpat-fake-token-0123456789';
    this.project = new GitLabProject(opts.projectId ?? 42, opts.projectPath ?? 'acme/platform/api');
  }

  async start(): Promise<this> {
    ({ server: this.server, origin: this.baseUrl } = await listenLoopback((req, res) => this.handle(req, res)));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  fail(fault: Fault): this {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  count(pattern: RegExp = /./): number {
    return this.requests.filter((r) => pattern.test(r.path + r.url.search)).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const throttle = this.throttle(at);
    const fault = throttle.limited ? undefined : this.takeFault(rawPath + url.search);
    let reply: Reply;
    if (throttle.limited) reply = { status: 429, headers: { 'content-type': 'text/plain' }, body: 'Retry later\n' };
    else if (fault?.status) reply = { status: fault.status, headers: { ...fault.headers }, body: fault.body ?? '' };
    else reply = fault?.endless ? this.endless(req, url, rawPath) : this.route(req, url, rawPath);
    if (fault?.loop) reply.headers['link'] = `<${url.origin}${req.url ?? '/'}>; rel="next"`;
    Object.assign(reply.headers, throttle.headers);
    this.requests.push({ method: req.method ?? 'GET', path: rawPath, url, headers: req.headers, status: reply.status, at });
    const delay = (this.opts.latencyMs ?? 0) + (fault?.delayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
    if (fault?.truncate) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  }

  private endless(req: IncomingMessage, url: URL, rawPath: string): Reply {
    const page = Number(url.searchParams.get('page') ?? 1);
    const first = new URL(url);
    first.searchParams.delete('page');
    const reply = this.route(req, first, rawPath);
    const next = new URL(url);
    next.searchParams.set('page', String(page + 1));
    return { ...reply, headers: { ...reply.headers, link: `<${next.toString()}>; rel="next"`, 'x-next-page': String(page + 1) } };
  }

  private takeFault(target: string): Fault | undefined {
    const fault = this.faults.find((f) => f.left > 0 && (!f.match || f.match.test(target)));
    if (fault) fault.left -= 1;
    return fault;
  }

  /** Rack::Attack counts every request in the window, refused ones included. */
  private throttle(now: number): { limited: boolean; headers: Record<string, string> } {
    const rl = this.opts.rateLimit;
    if (!rl) return { limited: false, headers: {} };
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
    if (limited) {
      this.throttled += 1;
      headers['ratelimit-resettime'] = new Date(end).toUTCString();
      headers['retry-after'] = String(Math.max(1, Math.ceil((end - now) / 1000)));
    }
    return { limited, headers };
  }

  private route(req: IncomingMessage, url: URL, rawPath: string): Reply {
    const given = req.headers['private-token'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (given !== this.token) return json(401, { message: '401 Unauthorized' });
    // [^/]+ : an un-encoded slash in the project path matches no API route, as on GitLab
    const m = /^\/api\/v4\/projects\/([^/]+)\/(issues_statistics|issues)(?:\/(\d+)\/notes)?$/.exec(rawPath);
    if (!m || req.method !== 'GET' || (m[2] === 'issues_statistics' && m[3])) return json(404, { error: '404 Not Found' });
    const ref = decodeURIComponent(m[1]!);
    if (ref !== String(this.project.id) && ref !== this.project.path) return json(404, { message: '404 Project Not Found' });
    if (m[2] === 'issues_statistics') return this.statistics(url);
    if (m[3]) return this.notes(Number(m[3]), url);
    return this.issues(url);
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
    const sorted = sortRecords(notes, q.get('order_by') ?? 'created_at', q.get('sort') ?? 'desc');
    const page = offsetPage(sorted, url, this.opts.totalsThreshold ?? 10_000);
    return json(200, page.items, page.headers);
  }
}
