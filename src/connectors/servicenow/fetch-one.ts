/**
 * One record by sys_id for a vendor webhook (CONTRACT §12): GET /api/now/table/{table}/{sys_id}
 * (same parameters as the listing), then — when the sync has an encoded query — one listing
 * request narrowed to that sys_id to tell whether the record is in scope, then its journal (one
 * request). A 404 is told apart from a table the account cannot read by one count of the table.
 */
import { SourceError } from '../../errors.js';
import type { FetchOneResult } from '../connector.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { SnRecord } from './fields.js';
import { fetchJournal } from './journal.js';
import type { PageRecord } from './normalize.js';
import { conditions } from './query.js';
import { tablePath } from './scan.js';

const SYS_ID = /^[0-9a-f]{32}$/;

export interface FetchOneContext {
  http: SourceHttp;
  table: string;
  /** the sync's encoded query as OR groups; [] or [''] when it has none */
  groups: readonly string[];
  params: Record<string, string>;
  /** counts the table (throws when it cannot be read) */
  count(signal: AbortSignal): Promise<unknown>;
  signal: AbortSignal;
}

export async function fetchServiceNowRecord(ctx: FetchOneContext, ref: string): Promise<FetchOneResult> {
  if (!SYS_ID.test(ref)) throw new Error('a ServiceNow reference is a sys_id (32 hex digits)');
  const { http, signal } = ctx;
  const res = await http.get<{ result?: unknown }>(`${tablePath(ctx.table)}/${ref}`, { query: ctx.params, signal, allowStatus: [404] });
  if (res.status === 404) {
    await ctx.count(signal);
    return { kind: 'gone' };
  }
  const record = res.body?.result;
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    throw new SourceError('SOURCE_RESPONSE_INVALID', `ServiceNow answered record ${ref} of '${ctx.table}' without a result object`, res.status);
  }
  if (ctx.groups.some((g) => g !== '') && !(await inQuery(ctx, ref))) {
    return { kind: 'out-of-scope', reason: 'the record does not match the sync\'s query' };
  }
  const journal = await fetchJournal(http, [ref], signal);
  const page: PageRecord = { record: record as SnRecord, journal: journal.get(ref) ?? [] };
  return { kind: 'found', record: page };
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
