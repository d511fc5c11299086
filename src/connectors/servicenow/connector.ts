/**
 * The ServiceNow Table API connector: pages of records in keyset order (see query.ts and
 * scan.ts) walked by the page walker (kit/walker.ts), each page's journal fetched in bulk
 * (journal.ts), the next page requested while the current page's journal is being read.
 *
 * Requests: GET /api/now/table/{table} with sysparm_display_value=all (stored values for ids
 * and dates, labels for choices, names for references in one response) and
 * sysparm_exclude_reference_link=true (the REST links are never used). All fields are read:
 * `raw` is the record as received.
 */
import type { Connector, ConnectorContext, PageOptions, SourcePage } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import { sourcePages } from '../kit/source-pages.js';
import { queryOf, tableOf, type ServiceNowConfig } from './config.js';
import { toSnDate, value, type SnRecord } from './fields.js';
import { fetchJournal, probeJournal } from './journal.js';
import { fetchServiceNowRecord } from './fetch-one.js';
import { identify, normalize, type PageRecord } from './normalize.js';
import { conditions, queryGroups } from './query.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { scanListing, tablePath, totalCount, type ScanRequest } from './scan.js';
import { classify, rateLimit } from './signals.js';

const RECORD_PARAMS = { sysparm_display_value: 'all', sysparm_exclude_reference_link: 'true' };

export function authHeader(config: ServiceNowConfig): string {
  if (config.access_token) return `Bearer ${config.access_token}`;
  return `Basic ${Buffer.from(`${config.username ?? ''}:${config.password ?? ''}`).toString('base64')}`;
}

/**
 * A literal date-time in an encoded query is compared with the stored value, which is UTC
 * (c_TableAPI.md: "The database value is in UTC format, while the display value is based on the
 * user's time zone"); only `javascript:gs.dateGenerate(…)` reads the user's zone (ServiceNow
 * community, "SOAP web service and time zones examples": text "is considered as UTC"). So the
 * bound is sent as UTC text and needs no allowance for the integration user's zone.
 */
function sinceTerms(since: Date | null): string[] {
  return since ? [`sys_updated_on>=${toSnDate(since)}`] : [];
}

export function createServiceNowConnector(config: ServiceNowConfig, ctx: ConnectorContext): Connector {
  const table = tableOf(config);
  const groups = queryGroups(queryOf(config));
  const http: SourceHttp = ctx.http({
    source: 'ServiceNow',
    baseUrl: config.base_url,
    headers: { Authorization: authHeader(config), Accept: 'application/json' },
    rateLimit,
    classify,
  });
  const normalizeCtx = { baseUrl: config.base_url, table };

  async function count(opts: { since: Date | null; signal: AbortSignal; includeComments?: boolean }): Promise<number | null> {
    const res = await http.get<unknown>(tablePath(table), {
      query: { sysparm_query: conditions(groups, sinceTerms(opts.since)), sysparm_limit: 1, sysparm_fields: 'sys_id' },
      signal: opts.signal,
    });
    if (opts.includeComments) await probeJournal(http, opts.signal);
    return totalCount(res);
  }

  /** The page's rows, each with its journal rows (one bulk request per page). */
  async function withJournal(rows: SnRecord[], includeComments: boolean, signal: AbortSignal): Promise<PageRecord[]> {
    const ids = rows.map((r) => value(r, 'sys_id'));
    const journal = includeComments && ids.length > 0 ? await fetchJournal(http, ids, signal) : new Map<string, SnRecord[]>();
    return rows.map((record) => ({ record, journal: journal.get(value(record, 'sys_id')) ?? [] }));
  }

  async function* pages(opts: PageOptions): AsyncGenerator<SourcePage> {
    const start = decodeCursor(opts.cursor);
    const req: ScanRequest = { table, groups, extra: sinceTerms(opts.since), limit: opts.batchSize, params: RECORD_PARAMS };
    yield* sourcePages({
      listing: scanListing(http, req, `ServiceNow table '${table}'`),
      start,
      before: start.delivered,
      encode: encodeCursor,
      complete: (rows, signal) => withJournal(rows, opts.includeComments, signal),
    }, opts.signal);
  }

  return {
    count,
    pages,
    fetchOne: (ref, { signal }) => fetchServiceNowRecord({ http, table, groups, params: RECORD_PARAMS, signal }, ref),
    normalize: (raw) => normalize(raw, normalizeCtx),
    identify,
  };
}
