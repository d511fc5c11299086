/**
 * The ServiceNow Table API connector: pages of records in keyset order (see query.ts and
 * scan.ts) walked by the page walker (kit/walker.ts), each page's journal, history and attachments
 * fetched in bulk (depth.ts), the next page requested while the current page's are being read.
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
import { toSnDate } from './fields.js';
import { probeJournal } from './journal.js';
import { attachmentContent } from './attachments.js';
import { depthReader } from './depth.js';
import { fetchServiceNowRecord } from './fetch-one.js';
import { identify, normalize } from './normalize.js';
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

  const depth = depthReader(http, { baseUrl: config.base_url, table, caps: ctx.policy.servicenow, logger: ctx.logger });

  async function* pages(opts: PageOptions): AsyncGenerator<SourcePage> {
    const start = decodeCursor(opts.cursor);
    const req: ScanRequest = { table, groups, extra: sinceTerms(opts.since), limit: opts.batchSize, params: RECORD_PARAMS };
    yield* sourcePages({
      listing: scanListing(http, req, `ServiceNow table '${table}'`),
      start,
      before: start.delivered,
      encode: encodeCursor,
      complete: (rows, signal) => depth.complete(rows, { includeComments: opts.includeComments, includeHistory: opts.includeHistory ?? false }, signal),
    }, opts.signal);
  }

  return {
    count,
    pages,
    fetchOne: (ref, { signal, includeHistory }) =>
      fetchServiceNowRecord({ http, table, groups, params: RECORD_PARAMS, signal, depth, includeHistory: includeHistory ?? false }, ref),
    attachmentContent: (att, opts) => attachmentContent(http, att, opts),
    normalize: (raw) => normalize(raw, normalizeCtx),
    identify,
  };
}
