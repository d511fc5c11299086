/**
 * Fake ServiceNow instance: a real HTTP server on 127.0.0.1 serving the Table API as documented.
 *
 * Sources (ServiceNow/ServiceNowDocs, markdown/…, = https://www.servicenow.com/docs/r/…):
 * - api-reference/rest-apis/c_TableAPI.md — GET /api/now[/v1|/v2]/table/{table}; sysparm_limit
 *   ("applied before ACL evaluation"), sysparm_offset, sysparm_query, sysparm_fields,
 *   sysparm_display_value, sysparm_exclude_reference_link, sysparm_no_count,
 *   sysparm_suppress_pagination_header; Link (first/prev/next/last) and X-Total-Count headers;
 *   v1 answers a query without hits with 404, v2 with 200 `{"result":[]}`; record encoding.
 *   GET /api/now[/v1|/v2]/table/{table}/{sys_id}: one record as `{"result":{…}}`, with sysparm_fields,
 *   sysparm_display_value and sysparm_exclude_reference_link as for the list (no query, no paging
 *   headers); a missing record, or one an ACL hides, is 404 {"error":{"message":"No Record found","detail":
 *   "Record doesn't exist or ACL restricts the record retrieval"},"status":"failure"}.
 * - api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.md — 429 + Retry-After,
 *   X-RateLimit-Limit/Reset (Unix seconds)/Rule, body {"error":{message,detail},"status":"failure"}.
 * - api-reference/rest-api-explorer/c_RESTAPI.md, r_RESTAPIHTTPResponseCodes.md, r_RESTOAuthExample.md
 *   — Basic or OAuth Bearer; 401 with X-MFA_TOKEN when Basic meets MFA; status codes.
 * - api-reference/web-services/retrieving-journal-entries.md — journal rows in sys_journal_field.
 * - platform-security/c_UnderstandingTheSysAuditTable.md — sys_audit rows (servicenow-data.ts);
 *   c_AggregateAPI.md and c_AttachmentAPI.md — /api/now/stats and /api/now/attachment (servicenow-depth.ts);
 *   the dictionary tables in servicenow-schema.ts.
 * - Link format `<url>;rel="first",<url>;rel="next"` (no spaces): real captures,
 *   https://gist.github.com/bryanbarnard/ee1d952604a11e0f0342 and ServiceNowITOM/ansible-sn-inventory#15
 *   (the latter: prev/next only where they apply, no Link at all when everything fits one page);
 *   the "Invalid table" 400 body is the platform's answer for an unknown table name.
 * The shared driving interface and fault vocabulary are in vendor-fake.ts; ServiceNow's own
 * faults (503, a 429 with only X-RateLimit-Reset, a reset connection, a hibernating instance) in
 * servicenow-faults.ts. `hostile` puts the adversarial text into the first incident's description.
 * ACLs are simulated by `hidden`: rows are cut to sysparm_limit first, then filtered, so pages
 * come back short or empty while more rows remain, and X-Total-Count counts rows before ACLs.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from './loopback.js';
import { compareRows, matches, parseQuery, type Row } from './servicenow-query.js';
import { renderRow, type DisplayMode } from './servicenow-render.js';
import { ServiceNowData } from './servicenow-data.js';
import { errorBody, faultReply, send, type Reply, type SnFault, type SnOnlyFault } from './servicenow-faults.js';
import { ATTACHMENT_FILE_PATH, ATTACHMENT_LIST_PATH, attachmentFileReply, STATS_PATH, statsReply } from './servicenow-depth.js';
import { adversarialText, FaultQueue, logEntry, replayed, type CommonFault, type FakeRequest, type VendorFake } from './vendor-fake.js';

export interface SnRequest extends FakeRequest {
  table: string | null;
  auth: 'basic' | 'bearer' | 'none';
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
  onRequest?: (req: SnRequest, fake: FakeServiceNow) => void;
}

const TABLE_PATH = /^\/api\/now\/(?:(v[12])\/)?table\/([^/]+)(?:\/([^/]+))?$/;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  ({ status, body: JSON.stringify(body), headers: { 'content-type': 'application/json;charset=UTF-8', ...headers } });
const error = (status: number, message: string, detail: string | null, headers: Record<string, string> = {}): Reply =>
  ({ status, body: errorBody(message, detail), headers: { 'content-type': 'application/json;charset=UTF-8', ...headers } });

/** Tables read beside the records (journal, history, dictionary): faults aimed at "the listing" pass them by. */
const SIDE_TABLES = new Set(['sys_journal_field', 'sys_audit', 'sys_attachment', 'sys_dictionary', 'sys_documentation', 'sys_choice']);

export class FakeServiceNow implements VendorFake<SnOnlyFault, SnRequest> {
  readonly data = new ServiceNowData();
  requests: SnRequest[] = [];
  /** The listing: record pages of any table but the side tables (not the one-row `sys_id` probes). */
  private readonly faults = new FaultQueue<CommonFault | SnOnlyFault, SnRequest>(
    (r) => r.table !== null && !SIDE_TABLES.has(r.table) && r.query.get('sysparm_fields') !== 'sys_id',
  );
  private server: Server | null = null;
  baseUrl = '';

  constructor(private readonly opts: FakeServiceNowOptions = {}) {}

  async start(port = 0): Promise<string> {
    ({ server: this.server, origin: this.baseUrl } = await listenLoopback((req, res) => this.handle(req, res), port));
    this.data.baseUrl = this.baseUrl;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  /** Queue a fault for the next matching requests; `hostile` rewrites the first incident's description. */
  inject(fault: SnFault): void {
    if (fault.kind !== 'hostile') return this.faults.push(fault);
    const first = this.data.rows('incident')[0]!;
    this.data.update('incident', first.sys_id!, { description: adversarialText(fault.bytes) });
  }

  tableRequests(table: string): SnRequest[] {
    return this.requests.filter((r) => r.table === table);
  }

  /** Requests to the Attachment API (`list`) or the Aggregate API (`stats`). */
  apiRequests(api: 'attachment' | 'stats'): SnRequest[] {
    return this.requests.filter((r) => r.path.startsWith(`/api/now/${api}`) || r.path.startsWith(`/api/now/v1/${api}`));
  }

  private authOf(req: IncomingMessage): { kind: SnRequest['auth']; ok: boolean; mfa: boolean } {
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
    const auth = this.authOf(req);
    const log = logEntry(req);
    const m = TABLE_PATH.exec(log.path);
    const entry: SnRequest = { ...log, table: m ? decodeURIComponent(m[2]!) : null, auth: auth.kind };
    this.requests.push(entry);
    this.opts.onRequest?.(entry, this);
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    const fault = this.faults.take(entry);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    const answer = () => this.answer(req, entry, auth, m?.[1]);
    const reply = fault?.kind === 'loop' ? replayed(fault, answer) : (fault && faultReply(fault)) ?? answer();
    const cut = fault?.kind === 'truncate' || fault?.kind === 'reset' ? fault.kind : null;
    entry.status = send(res, reply, cut);
  }

  private answer(req: IncomingMessage, entry: SnRequest, auth: ReturnType<FakeServiceNow['authOf']>, version: string | undefined): Reply {
    if (auth.mfa) return error(401, 'User Not Authenticated', 'Required to provide Auth information', { 'X-MFA_TOKEN': 'invalid' });
    if (!auth.ok) return error(401, 'User Not Authenticated', 'Required to provide Auth information');
    if (entry.table === null && req.method === 'GET') {
      const other = this.otherApi(new URL(entry.target, this.baseUrl), entry.path);
      if (other) return other;
    }
    if (entry.table === null || req.method !== 'GET') return error(400, 'Requested URI does not represent any resource', null);
    const table = entry.table;
    if (!this.data.tables.get(table)) return error(400, `Invalid table ${table}`, null);
    if (this.opts.forbiddenTables?.includes(table)) return error(403, 'User Not Authorized', `Insufficient rights to read ${table}`);
    const url = new URL(entry.target, this.baseUrl);
    const record = TABLE_PATH.exec(entry.path)?.[3];
    if (record !== undefined) return this.record(url, table, decodeURIComponent(record));
    return this.list(url, table, (version ?? this.opts.defaultVersion) === 'v1');
  }

  /** The Aggregate API and the Attachment API (servicenow-depth.ts); null for any other path. */
  private otherApi(url: URL, path: string): Reply | null {
    const forbidden = (table: string): Reply | null =>
      this.opts.forbiddenTables?.includes(table) ? error(403, 'User Not Authorized', `Insufficient rights to read ${table}`) : null;
    const stats = STATS_PATH.exec(path);
    if (stats) {
      const table = decodeURIComponent(stats[1]!);
      if (!this.data.tables.get(table)) return error(400, `Invalid table ${table}`, null);
      return forbidden(table) ?? statsReply(this.data, url, table, this.opts.hidden);
    }
    if (ATTACHMENT_LIST_PATH.test(path)) {
      const listing = new URL(url);
      for (const p of ['sysparm_fields', 'sysparm_display_value', 'sysparm_exclude_reference_link']) listing.searchParams.delete(p);
      return forbidden('sys_attachment') ?? this.list(listing, 'sys_attachment', false);
    }
    const file = ATTACHMENT_FILE_PATH.exec(path);
    if (file) return forbidden('sys_attachment') ?? attachmentFileReply(this.data, file[1]!, this.opts.hidden);
    return null;
  }

  private render(url: URL, table: string, rows: Row[]): Record<string, unknown>[] {
    const p = url.searchParams;
    const mode = (['true', 'all'].includes(p.get('sysparm_display_value') ?? '') ? p.get('sysparm_display_value') : 'false') as DisplayMode;
    const fields = p.get('sysparm_fields') ? p.get('sysparm_fields')!.split(',').map((f) => f.trim()) : null;
    const ctx = { baseUrl: this.baseUrl, tables: this.data.tables, lookup: (t: string, id: string) => this.data.display(t, id) };
    const excludeLink = p.get('sysparm_exclude_reference_link') === 'true';
    return rows.map((r) => renderRow(ctx, table, r, { mode, excludeLink, fields }));
  }

  private record(url: URL, table: string, id: string): Reply {
    const row = this.data.get(table, id);
    if (!row || this.opts.hidden?.(table, row)) return error(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    return json(200, { result: this.render(url, table, [row])[0] });
  }

  private list(url: URL, table: string, v1: boolean): Reply {
    const p = url.searchParams;
    const limit = Math.max(1, Number(p.get('sysparm_limit') ?? 10000) || 10000);
    const offset = Math.max(0, Number(p.get('sysparm_offset') ?? 0) || 0);
    const ignored = this.opts.ignoredQueryFields?.[table] ?? [];
    const queryable = new Set([...this.data.fieldsOf(table)].filter((f) => !ignored.includes(f)));
    const q = parseQuery(p.get('sysparm_query') ?? '', queryable, this.data.orderedFieldsOf(table));
    const all = this.data.rows(table).filter((r) => matches(q, r)).sort(compareRows(q));
    const visible = all.slice(offset, offset + limit).filter((r) => !this.opts.hidden?.(table, r));
    const result = this.render(url, table, visible);
    const headers: Record<string, string> = {};
    if (p.get('sysparm_no_count') !== 'true' && !this.opts.omitTotalCount) headers['X-Total-Count'] = String(all.length);
    const onePage = offset === 0 && all.length <= limit;
    if (p.get('sysparm_suppress_pagination_header') !== 'true' && !onePage) headers.Link = this.links(url, offset, limit, all.length);
    if (v1 && all.length === 0) return error(404, 'No Record found', 'Records matching query not found. Check query parameter or offset parameter', headers);
    return json(200, { result }, headers);
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
