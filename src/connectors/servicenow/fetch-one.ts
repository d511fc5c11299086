/**
 * One record by sys_id for a vendor webhook (CONTRACT §12): GET /api/now/table/{table}/{sys_id}
 * (same parameters as the listing), then — when the sync has an encoded query — one listing
 * request narrowed to that sys_id to tell whether the record is in scope, then its journal, history
 * (when asked) and attachments, a request each (depth.ts; a connector's first read also reads the
 * table's dictionary, labels and choices). The single-record GET answers 404 both for a deleted record and for one an ACL hides
 * ("Record doesn't exist or ACL restricts the record retrieval"), so a 404 is followed by one count
 * of the table narrowed to that sys_id: it fails when the table cannot be read, and it is taken
 * before ACLs (sysparm_limit, hence X-Total-Count, applies before ACL evaluation), so a hidden
 * record still counts. Only a count of 0 — or no count at all, from an instance that sends none —
 * makes the record gone; a hidden one is out of scope and its stored item stays.
 */
import { SourceError } from '../../errors.js';
import type { FetchOneResult } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { SnRecord } from './fields.js';
import type { DepthReader } from './depth.js';
import { conditions } from './query.js';
import { tablePath, totalCount } from './scan.js';

const SYS_ID = /^[0-9a-f]{32}$/;

export interface FetchOneContext {
  http: SourceHttp;
  table: string;
  /** the sync's encoded query as OR groups; [] or [''] when it has none */
  groups: readonly string[];
  params: Record<string, string>;
  signal: AbortSignal;
  depth: DepthReader;
  includeHistory: boolean;
}

export async function fetchServiceNowRecord(ctx: FetchOneContext, ref: string): Promise<FetchOneResult> {
  if (!SYS_ID.test(ref)) throw new Error('a ServiceNow reference is a sys_id (32 hex digits)');
  const { http, signal } = ctx;
  const res = await http.get<{ result?: unknown }>(`${tablePath(ctx.table)}/${ref}`, { query: ctx.params, signal, allowStatus: [404] });
  if (res.status === 404) {
    return (await rowsWithId(ctx, ref)) > 0 ? { kind: 'out-of-scope', reason: 'an ACL hides the record from the sync\'s account' } : { kind: 'gone' };
  }
  const record = res.body?.result;
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `ServiceNow answered record ${ref} of '${ctx.table}' without a result object`, res.status);
  }
  if (ctx.groups.some((g) => g !== '') && !(await inQuery(ctx, ref))) {
    return { kind: 'out-of-scope', reason: 'the record does not match the sync\'s query' };
  }
  const [page] = await ctx.depth.complete([record as SnRecord], { includeComments: true, includeHistory: ctx.includeHistory }, signal);
  return { kind: 'found', record: page };
}

/** Rows of the table with this sys_id, counted before ACLs; 0 when the instance sends no count. Throws when the table cannot be read. */
async function rowsWithId(ctx: FetchOneContext, sysId: string): Promise<number> {
  const res = await ctx.http.get<unknown>(tablePath(ctx.table), {
    query: { sysparm_query: `sys_id=${sysId}`, sysparm_limit: 1, sysparm_fields: 'sys_id' },
    signal: ctx.signal,
  });
  return totalCount(res) ?? 0;
}

/** v1 of the Table API answers a query without hits with 404 instead of []. */
async function inQuery(ctx: FetchOneContext, sysId: string): Promise<boolean> {
  const res = await ctx.http.get<{ result?: unknown }>(tablePath(ctx.table), {
    query: { sysparm_query: conditions(ctx.groups, [`sys_id=${sysId}`]), sysparm_limit: 1, sysparm_fields: 'sys_id' },
    signal: ctx.signal,
    allowStatus: [404],
  });
  return res.status === 200 && Array.isArray(res.body?.result) && res.body.result.length > 0;
}
