/**
 * Fake ServiceNow instance: a real HTTP server on 127.0.0.1 serving the Table API as documented.
 *
 * Sources (ServiceNow/ServiceNowDocs, markdown/…, = https://www.servicenow.com/docs/r/…):
 * - api-reference/rest-apis/c_TableAPI.md — GET /api/now[/v1|/v2]/table/{table}; sysparm_limit
 *   ("applied before ACL evaluation"), sysparm_offset, sysparm_query, sysparm_fields,
 *   sysparm_display_value, sysparm_exclude_reference_link, sysparm_no_count,
 *   sysparm_suppress_pagination_header; Link (first/prev/next/last) and X-Total-Count headers;
 *   v1 answers a query without hits with 404, v2 with 200 `{"result":[]}`; record encoding.
 * - api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.md — 429 + Retry-After,
 *   X-RateLimit-Limit/Reset (Unix seconds)/Rule, body {"error":{message,detail},"status":"failure"}.
 * - api-reference/rest-api-explorer/c_RESTAPI.md, r_RESTAPIHTTPResponseCodes.md, r_RESTOAuthExample.md
 *   — Basic or OAuth Bearer; 401 with X-MFA_TOKEN when Basic meets MFA; status codes.
 * - api-reference/web-services/retrieving-journal-entries.md — journal rows in sys_journal_field.
 * - Link format `<url>;rel="first",<url>;rel="next"` (no spaces): real captures,
 *   https://gist.github.com/bryanbarnard/ee1d952604a11e0f0342 and ServiceNowITOM/ansible-sn-inventory#15
 *   (the latter: prev/next only where they apply, no Link at all when everything fits one page);
 *   the "Invalid table" 400 body is the platform's answer for an unknown table name.
 * ACLs are simulated by `hidden`: rows are cut to sysparm_limit first, then filtered, so pages
 * come back short or empty while more rows remain, and X-Total-Count counts rows before ACLs.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';
import { compareRows, matches, parseQuery, type Row } from './servicenow-query.js';
import { renderRow, type DisplayMode } from './servicenow-render.js';
import { ServiceNowData } from './servicenow-data.js';
import { takeFault, type Fault, writeFault } from './servicenow-faults.js';

export interface LoggedRequest {
  method: string;
  path: string;
  table: string | null;
  params: Record<string, string>;
  auth: 'basic' | 'bearer' | 'none';
  status: number;
  /** arrival time, epoch ms */
  at: number;
}

export interface FakeServiceNowOptions {
  /** username → password for Basic auth */
  users?: Record<string, string>;
  /** OAuth access tokens accepted as Bearer */
  tokens?: string[];
  /** Basic users whose account requires MFA (401 + X-MFA_TOKEN) */
  mfaUsers?: string[];
  /** delay before every response */
  latencyMs?: number;
  /** ACL: true = the caller may not read this row */
  hidden?: (table: string, row: Row) => boolean;
  /** tables whose read ACL denies the caller (403) */
  forbiddenTables?: string[];
  /** the version an unversioned /api/now/table path gets (default v2) */
  defaultVersion?: 'v1' | 'v2';
  /** leave out X-Total-Count, as when the instance skips the count: only the Link header tells the end */
  omitTotalCount?: boolean;
  /** per table, fields whose query terms the instance ignores (c_TableAPI.md: "the instance ignores the invalid part"), so keyset paging cannot advance */
  ignoredQueryFields?: Record<string, string[]>;
  /** called for each request before it is answered (e.g. to change data mid-import) */
  onRequest?: (req: LoggedRequest, fake: FakeServiceNow) => void;
}

const ERROR = (message: string, detail: string | null) => ({ error: { message, detail }, status: 'failure' });

export class FakeServiceNow {
  readonly data = new ServiceNowData();
  readonly log: LoggedRequest[] = [];
  private readonly faults: Fault[] = [];
  private server: Server | null = null;
  baseUrl = '';

  constructor(private readonly opts: FakeServiceNowOptions = {}) {}

  async start(): Promise<this> {
    ({ server: this.server, origin: this.baseUrl } = await listenLoopback((req, res) => this.handle(req, res)));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /** Queue a fault for the next matching requests. */
  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  requests(table?: string): LoggedRequest[] {
    return table ? this.log.filter((r) => r.table === table) : this.log;
  }

  private authOf(req: IncomingMessage): { kind: LoggedRequest['auth']; ok: boolean; mfa: boolean } {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) return { kind: 'bearer', ok: (this.opts.tokens ?? []).includes(header.slice(7)), mfa: false };
    if (header.startsWith('Basic ')) {
      const [user = '', ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      const ok = this.opts.users?.[user] === rest.join(':');
      return { kind: 'basic', ok, mfa: ok && (this.opts.mfaUsers ?? []).includes(user) };
    }
    return { kind: 'none', ok: false, mfa: false };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const m = /^\/api\/now\/(?:(v[12])\/)?table\/([^/]+)$/.exec(url.pathname);
    const auth = this.authOf(req);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET', path: url.pathname, table: m ? decodeURIComponent(m[2]!) : null,
      params: Object.fromEntries(url.searchParams), auth: auth.kind, status: 0, at: Date.now(),
    };
    this.log.push(entry);
    this.opts.onRequest?.(entry, this);
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    const fault = takeFault(this.faults, entry);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    else if (fault) return void (entry.status = writeFault(res, fault.kind, fault));

    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (auth.mfa) return send(401, ERROR('User Not Authenticated', 'Required to provide Auth information'), { 'X-MFA_TOKEN': 'invalid' });
    if (!auth.ok) return send(401, ERROR('User Not Authenticated', 'Required to provide Auth information'));
    if (!m || req.method !== 'GET') return send(400, ERROR('Requested URI does not represent any resource', null));
    const table = entry.table!;
    const def = this.data.tables.get(table);
    if (!def) return send(400, ERROR(`Invalid table ${table}`, null));
    if (this.opts.forbiddenTables?.includes(table)) return send(403, ERROR('User Not Authorized', `Insufficient rights to read ${table}`));
    this.list(url, table, (m[1] ?? this.opts.defaultVersion) === 'v1', send);
  }

  private list(url: URL, table: string, v1: boolean, send: (s: number, b: unknown, h?: Record<string, string>) => void): void {
    const p = url.searchParams;
    const limit = Math.max(1, Number(p.get('sysparm_limit') ?? 10000) || 10000);
    const offset = Math.max(0, Number(p.get('sysparm_offset') ?? 0) || 0);
    const ignored = this.opts.ignoredQueryFields?.[table] ?? [];
    const queryable = new Set([...this.data.fieldsOf(table)].filter((f) => !ignored.includes(f)));
    const q = parseQuery(p.get('sysparm_query') ?? '', queryable, this.data.orderedFieldsOf(table));
    const all = this.data.rows(table).filter((r) => matches(q, r)).sort(compareRows(q));
    const visible = all.slice(offset, offset + limit).filter((r) => !this.opts.hidden?.(table, r));
    const mode = (['true', 'all'].includes(p.get('sysparm_display_value') ?? '') ? p.get('sysparm_display_value') : 'false') as DisplayMode;
    const fields = p.get('sysparm_fields') ? p.get('sysparm_fields')!.split(',').map((f) => f.trim()) : null;
    const ctx = { baseUrl: this.baseUrl, tables: this.data.tables, lookup: (t: string, id: string) => this.data.display(t, id) };
    const excludeLink = p.get('sysparm_exclude_reference_link') === 'true';
    const result = visible.map((r) => renderRow(ctx, table, r, { mode, excludeLink, fields }));
    const headers: Record<string, string> = {};
    if (p.get('sysparm_no_count') !== 'true' && !this.opts.omitTotalCount) headers['X-Total-Count'] = String(all.length);
    const onePage = offset === 0 && all.length <= limit;
    if (p.get('sysparm_suppress_pagination_header') !== 'true' && !onePage) headers.Link = this.links(url, offset, limit, all.length);
    if (v1 && all.length === 0) return send(404, ERROR('No Record found', 'Records matching query not found. Check query parameter or offset parameter'), headers);
    send(200, { result }, headers);
  }

  private links(url: URL, offset: number, limit: number, total: number): string {
    const at = (o: number): string => {
      const u = new URL(url);
      u.searchParams.set('sysparm_offset', String(o));
      u.searchParams.set('sysparm_limit', String(limit));
      return `<${u.toString()}>`;
    };
    const parts = [`${at(0)};rel="first"`];
    if (offset > 0) parts.push(`${at(Math.max(0, offset - limit))};rel="prev"`);
    if (offset + limit < total) parts.push(`${at(offset + limit)};rel="next"`);
    parts.push(`${at(Math.max(0, Math.floor((total - 1) / limit) * limit))};rel="last"`);
    return parts.join(',');
  }
}
