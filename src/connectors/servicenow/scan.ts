/**
 * One Table API page in keyset order, robust to ACLs.
 *
 * sysparm_limit is applied before ACL evaluation, so a page may come back short or empty
 * while more rows remain. The end is therefore read from the headers, never from the page
 * size: X-Total-Count (rows matching the query, before ACLs) against offset + limit, or,
 * when the instance sends no count, the Link header's rel="next".
 * After a page with rows the next page starts after the last row's key (offset 0); after
 * an all-hidden page there is no new key, so the same key is kept and the offset moves past
 * the hidden rows. Either way every request makes progress, and the page walker
 * (kit/walker.ts) fails a scan whose instance does not (a keyset that repeats, say because the
 * instance ignored the keyset terms of the query).
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp, SourceResponse } from '../../outbound/types.js';
import type { Listing } from '../kit/walker.js';
import { parseLinkHeader } from '../../outbound/link-header.js';
import type { CursorData, ScanState } from './cursor.js';
import { value, type SnRecord } from './fields.js';
import { buildQuery } from './query.js';

export interface ScanRequest {
  table: string;
  /** the listing's path when it is not the Table API's (the Attachment API lists sys_attachment at /api/now/attachment) */
  path?: string;
  groups: readonly string[];
  extra: readonly string[];
  limit: number;
  params: Record<string, string>;
}

interface ScanPage {
  rows: SnRecord[];
  /** null at the end */
  next: ScanState | null;
  /** X-Total-Count: rows after the page's key (before ACLs), when the instance says */
  count: number | null;
}

export function tablePath(table: string): string {
  return `/api/now/table/${encodeURIComponent(table)}`;
}

interface ErrorBody {
  error?: { message?: unknown };
}

/** v1 of the Table API answers a query without hits with 404 "No Record found" instead of []. */
function rowsOf(res: SourceResponse<unknown>, table: string): SnRecord[] {
  const body = res.body as { result?: unknown } & ErrorBody;
  if (res.status === 404) {
    const message = typeof body?.error?.message === 'string' ? body.error.message : '';
    if (/no record/i.test(message)) return [];
    throw new SourceError('SOURCE_NOT_FOUND', `ServiceNow table '${table}' was not found (HTTP 404)`, 404);
  }
  if (!body || !Array.isArray(body.result)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `ServiceNow returned no result list for '${table}'`, res.status);
  }
  return body.result.filter((r): r is SnRecord => typeof r === 'object' && r !== null);
}

export function totalCount(res: SourceResponse<unknown>): number | null {
  const n = Number(res.headers['x-total-count']);
  return res.headers['x-total-count'] !== undefined && Number.isInteger(n) && n >= 0 ? n : null;
}

async function scanPage(http: SourceHttp, req: ScanRequest, state: ScanState, signal: AbortSignal): Promise<ScanPage> {
  const res = await http.get<unknown>(req.path ?? tablePath(req.table), {
    query: {
      ...req.params,
      sysparm_query: buildQuery(req.groups, req.extra, state.after),
      sysparm_limit: req.limit,
      sysparm_offset: state.offset,
    },
    signal,
    allowStatus: [404],
  });
  const rows = rowsOf(res, req.table);
  const total = totalCount(res);
  const scanned = state.offset + req.limit;
  const more = total !== null ? scanned < total : res.status === 200 && 'next' in parseLinkHeader(res.headers.link);
  if (!more) return { rows, next: null, count: total };
  const last = rows[rows.length - 1];
  const next: ScanState = last
    ? { after: [value(last, 'sys_created_on'), value(last, 'sys_id')], offset: 0 }
    : { after: state.after, offset: scanned };
  if (last && (next.after![0] === '' || next.after![1] === '')) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `ServiceNow rows of '${req.table}' lack sys_created_on or sys_id`);
  }
  return { rows, next, count: total };
}

/** A keyset scan as a listing for the page walker; `what` names it in errors. */
export function scanListing(http: SourceHttp, req: ScanRequest, what: string): Listing<CursorData, SnRecord> {
  return {
    what,
    cursorName: 'keyset cursor',
    fetch: async (at, signal) => {
      const page = await scanPage(http, req, at.state, signal);
      const delivered = at.delivered + page.rows.length;
      return {
        records: page.rows,
        next: page.next === null ? null : { state: page.next, delivered },
        // Rows after the key, hidden ones included: with those delivered before, a bound on the whole scan.
        total: page.count === null ? null : at.delivered + page.count,
      };
    },
    cursorKey: (at) => JSON.stringify([at.state.after, at.state.offset]),
    recordKey: (row) => value(row, 'sys_id'),
    emptyPagesAdvance: true, // sysparm_limit applies before ACLs: a page may be all hidden
  };
}
