/**
 * A GitHub REST fake (node:http on 127.0.0.1) built from github/docs:
 * - [G1] src/rest/data/fpt-2022-11-28/issues.json = https://docs.github.com/rest/issues/issues#list-repository-issues
 *   and https://docs.github.com/rest/issues/comments (params, defaults, shapes; PRs in the issues list)
 * - [G2] content/rest/using-the-rest-api/using-pagination-in-the-rest-api.md (Link header format,
 *   /repositories/{id}/… URLs, omitted for one page) — see github-routes.ts
 * - [G3] content/rest/using-the-rest-api/rate-limits-for-the-rest-api.md (x-ratelimit-* headers on every
 *   response, reset in epoch seconds; primary or secondary limit answered with 403 OR 429)
 * - [G4] content/rest/authentication/authenticating-to-the-rest-api.md (`Bearer`/`token`; 401 Bad credentials)
 * - [G5] content/rest/about-the-rest-api/api-versions.md (X-GitHub-Api-Version; unsupported → 400)
 * - [G6] data/variables/product.yml (GHES API under /api/v3)
 * - [G7] content/rest/using-the-rest-api/troubleshooting-the-rest-api.md (User-Agent required, private → 404,
 *   rate-limit message bodies: "API rate limit exceeded for …", "You have exceeded a secondary rate limit"; older
 *   docs (resources-in-the-rest-api, abuse rate limits) and GHES: "You have triggered an abuse detection mechanism")
 * - src/rest/data/fpt-2022-11-28/search.json = https://docs.github.com/rest/search/search#search-issues-and-pull-requests
 *   (total_count; own `search` resource, 30 a minute; a query needs is:issue or is:pull-request — see github-routes.ts)
 * - [G1] "Get an issue": a transferred issue redirects (301); transferred or deleted where the caller cannot read
 *   → 404; deleted where it can → 410 Gone (seen in the wild: opencloudtouch/opencloudtouch#264, kenn-io/forge#898)
 * - Issue 12: issue events and their paging cap (github-events.ts); uploads linked from bodies and comments
 *   (github-data.ts) served on the web host: a GET of https://github.com/user-attachments/… answers 302 to a
 *   short-lived signed URL on another host (github-production-user-asset-….s3.amazonaws.com or
 *   private-user-images.githubusercontent.com, the signature in the query), here a second loopback server that
 *   records what it was sent, so a test can see no credential followed the redirect. Private repository: the
 *   web host answers 404 without the token, as for the API.
 * The shared driving interface and fault vocabulary are in vendor-fake.ts: `rate-limited` is a secondary limit
 * answered 429 with `retry-after` and the x-ratelimit-* headers, budget not spent [G3]; `unauthorized` the 401 "Bad
 * credentials" [G4]; `hostile` the first issue's Markdown body. GitHub's own faults: primary/secondary limits as 403
 * or 429, a non-limit 403, a deleted or transferred issue. Latency, a per-window request budget (R requests per
 * second for benchmarks) and mutable data serve tests and benchmarks.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';
import { RepoData } from './github-data.js';
import { NOT_FOUND, route, type RouteReply } from './github-routes.js';
import { adversarialText, FaultQueue, logEntry, replayed, type CommonFault, type FakeRequest, type Targeted, type VendorFake } from './vendor-fake.js';

export interface GithubFakeOptions {
  owner?: string;
  repo?: string;
  repoId?: number;
  issues?: number;
  /** Every n-th issue number is a pull request (default 3: a third; 0: none). */
  prEvery?: number;
  commentsFor?: (n: number) => number;
  /** The one valid token; any other presented token gets 401. */
  token?: string;
  /** Without the valid token the repository answers 404, as GitHub does for private resources. */
  private?: boolean;
  /** '/api/v3' makes it a GitHub Enterprise Server. */
  prefix?: string;
  latencyMs?: number;
  /** Primary limit: `limit` requests per `windowMs` window aligned to the epoch (default 5,000 per hour). */
  rateLimit?: { limit: number; windowMs: number; status?: 403 | 429; retryAfter?: boolean };
  /** labeled/unlabeled pairs added to issue n's events (a history longer than the events lists serve) */
  extraEventsFor?: (n: number) => number;
  /** Deepest page the events lists serve before 422 "pagination is limited" (default 300). */
  eventPagesCap?: number;
}

/** What the upload host (the signed-URL side of a redirect) was sent. */
export interface AssetRequest {
  path: string;
  headers: IncomingMessage['headers'];
}

/** GitHub's own faults; 'gone' / 'moved': the issue was deleted (410) or transferred out of reach (404) after it was listed. */
export type GithubOnlyFault =
  | { kind: 'secondary'; status?: 403 | 429; retryAfterSec?: number; /** the older "abuse detection mechanism" wording */ legacy?: boolean }
  | { kind: 'primary'; status?: 403 | 429; retryAfterSec?: number; /** seconds until x-ratelimit-reset (default 1) */ resetInSec?: number }
  | { kind: 'forbidden' }
  | { kind: 'gone' }
  | { kind: 'moved' };

export type GithubFault = (CommonFault | GithubOnlyFault) & Targeted<GithubRequest>;

export interface GithubRequest extends FakeRequest {
  headers: IncomingMessage['headers'];
  responseHeaders: Record<string, string>;
  /** answer time, epoch ms (0 until answered) */
  answeredAt: number;
}

const DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0400:1E2F:3A4B5C:6D7E8F:65A1B2C3.';
const ABUSE_MESSAGE = 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.';
const BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Window {
  private index = -1;
  used = 0;
  constructor(readonly limit: number, readonly windowMs: number) {}
  /** Counts one request; false when the window's budget was already spent. */
  take(now: number): boolean {
    this.roll(now);
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
  headers(resource: string, now: number): Record<string, string> {
    this.roll(now);
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(Math.max(0, this.limit - this.used)),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-reset': String(Math.ceil(((this.index + 1) * this.windowMs) / 1000)),
      'x-ratelimit-resource': resource,
    };
  }
  private roll(now: number): void {
    const index = Math.floor(now / this.windowMs);
    if (index !== this.index) [this.index, this.used] = [index, 0];
  }
}

/** Page requests of the issue list (not its comments, not search). */
const ISSUE_LIST = /^(?:\/api\/v3)?\/(?:repos\/[^/]+\/[^/]+|repositories\/\d+)\/issues$/;

export class GithubFake implements VendorFake<GithubOnlyFault, GithubRequest> {
  data!: RepoData;
  requests: GithubRequest[] = [];
  readonly token: string;
  /** Requests refused by the primary budget (not injected faults). */
  limited = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private readonly faults = new FaultQueue<CommonFault | GithubOnlyFault, GithubRequest>((r) => ISSUE_LIST.test(r.path));
  private server: Server | null = null;
  private readonly core: Window;
  private readonly searchWindow = new Window(30, 60_000);
  origin = '';
  /** The other host uploads redirect to, and the requests it got. */
  assetOrigin = '';
  readonly assetRequests: AssetRequest[] = [];
  private assetServer: Server | null = null;

  constructor(readonly opts: GithubFakeOptions = {}) {
    this.token = opts.token ?? 'ghp_fakeToken0123456789abcdefABCDEF0123';
    this.core = new Window(opts.rateLimit?.limit ?? 5000, opts.rateLimit?.windowMs ?? 3_600_000);
  }

  /** base_url for the connector: the origin, plus /api/v3 for GHES. */
  get baseUrl(): string {
    return this.origin + (this.opts.prefix ?? '');
  }

  async start(port = 0): Promise<string> {
    ({ server: this.server, origin: this.origin } = await listenLoopback((req, res) => this.handle(req, res), port));
    ({ server: this.assetServer, origin: this.assetOrigin } = await listenLoopback((req, res) => this.serveAsset(req, res)));
    const o = this.opts;
    this.data = new RepoData({
      apiBase: this.baseUrl, webBase: this.origin, owner: o.owner ?? 'octo-org', repo: o.repo ?? 'hello-world',
      repoId: o.repoId ?? 1300192, issues: o.issues ?? 0, prEvery: o.prEvery ?? 3, commentsFor: o.commentsFor ?? ((n) => n % 5),
      extraEventsFor: o.extraEventsFor, eventPagesCap: o.eventPagesCap,
    });
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await Promise.all([closeServer(this.server), closeServer(this.assetServer)]);
  }

  /** The signed-URL host: the bytes of the upload named in the path, whatever the headers. */
  private serveAsset(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.assetOrigin);
    this.assetRequests.push({ path: url.pathname, headers: req.headers });
    const content = url.searchParams.has('X-Amz-Signature') ? this.data.uploadContent(url.pathname.replace(/^\/github-production-user-asset-6210df/, '')) : null;
    if (!content) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': content.mediaType, 'content-length': String(content.bytes.length) }).end(content.bytes);
  }

  /** GET of an upload on the web host: 302 to a signed URL on the upload host. */
  private uploadRedirect(path: string, canSee: boolean): RouteReply | null {
    if (!this.data.uploadContent(path)) return null;
    if (!canSee) return { status: 404, body: NOT_FOUND };
    const signed = `${this.assetOrigin}/github-production-user-asset-6210df${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=5b1e0c0ffee`;
    return { status: 302, body: '', headers: { location: signed, 'content-type': 'text/html; charset=utf-8' } };
  }

  inject(fault: GithubFault): void {
    if (fault.kind !== 'hostile') return this.faults.push(fault);
    const first = this.data.issues.find((i) => !i['pull_request'])!;
    first['body'] = adversarialText(fault.bytes);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.on('close', () => this.inFlight--);
    const entry: GithubRequest = { ...logEntry(req), headers: req.headers, responseHeaders: {}, answeredAt: 0 };
    this.requests.push(entry);
    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);
    const url = new URL(entry.target, this.origin);
    const fault = this.faults.take(entry);
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    const reply = fault?.kind === 'loop' ? replayed(fault, () => this.reply(req, url, null)) : this.reply(req, url, fault);
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const headers = { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json', ...reply.headers };
    Object.assign(entry, { status: reply.status, responseHeaders: headers, answeredAt: Date.now() });
    if (fault?.kind !== 'truncate') {
      res.writeHead(reply.status, headers).end(body);
      return;
    }
    res.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
  }

  private reply(req: IncomingMessage, url: URL, fault: CommonFault | GithubOnlyFault | null): RouteReply {
    const now = Date.now();
    const prefix = this.opts.prefix ?? '';
    if (!req.headers['user-agent']) {
      return { status: 403, body: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.', headers: { 'content-type': 'text/plain' } };
    }
    const version = req.headers['x-github-api-version'];
    if (version !== undefined && version !== '2022-11-28') {
      return { status: 400, body: { message: `Unsupported 'X-GitHub-Api-Version' header: ${String(version)}`, documentation_url: 'https://docs.github.com/rest/overview/api-versions' } };
    }
    const presented = /^(?:Bearer|token)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (presented !== undefined && presented !== this.token) return { status: 401, body: BAD_CREDENTIALS };
    const upload = this.uploadRedirect(url.pathname, !this.opts.private || presented === this.token);
    if (upload) return upload;
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    const window = path === '/search/issues' ? this.searchWindow : this.core;
    const resource = window === this.core ? 'core' : 'search';
    if (fault) {
      const injected = this.faultReply(fault, window.headers(resource, now), now);
      if (injected) return injected;
    }
    if (!window.take(now)) {
      this.limited++;
      const rl = this.opts.rateLimit;
      const headers = window.headers(resource, now);
      if (rl?.retryAfter) headers['retry-after'] = String(Math.max(1, Number(headers['x-ratelimit-reset']) - Math.floor(now / 1000)));
      const who = presented ? 'user ID 583231.' : '127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)';
      return { status: rl?.status ?? 403, headers, body: { message: `API rate limit exceeded for ${who}`, documentation_url: DOCS } };
    }
    const r = route(this.data, path, url, !this.opts.private || presented === this.token);
    return { ...r, headers: { ...window.headers(resource, now), ...r.headers } };
  }

  private faultReply(f: CommonFault | GithubOnlyFault, rate: Record<string, string>, now: number): RouteReply | null {
    const retry: Record<string, string> = 'retryAfterSec' in f && f.retryAfterSec !== undefined ? { 'retry-after': String(f.retryAfterSec) } : {};
    switch (f.kind) {
      case 'status':
        return { status: f.status, body: { message: 'Server Error' } };
      case 'unauthorized':
        return { status: 401, body: BAD_CREDENTIALS };
      case 'rate-limited':
        return { status: 429, headers: { ...rate, ...retry }, body: { message: SECONDARY_MESSAGE, documentation_url: `${DOCS}#about-secondary-rate-limits` } };
      case 'gone':
        return { status: 410, headers: rate, body: { message: 'This issue was deleted', documentation_url: 'https://docs.github.com/rest/issues/issues#get-an-issue', status: '410' } };
      case 'moved':
        return { status: 404, headers: rate, body: NOT_FOUND };
      case 'forbidden':
        return { status: 403, headers: rate, body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest/issues/issues#list-repository-issues', status: '403' } };
      case 'secondary':
        return { status: f.status ?? 403, headers: { ...rate, ...retry }, body: { message: f.legacy ? ABUSE_MESSAGE : SECONDARY_MESSAGE, documentation_url: `${DOCS}#about-secondary-rate-limits` } };
      case 'primary': {
        const reset = String(Math.floor(now / 1000) + (f.resetInSec ?? 1));
        const headers = { ...rate, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, ...retry };
        return { status: f.status ?? 403, headers, body: { message: 'API rate limit exceeded for user ID 583231.', documentation_url: DOCS } };
      }
      default:
        return null; // slow, truncate, loop and hostile answer normally (the truncation happens while sending)
    }
  }
}
