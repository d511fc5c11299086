/**
 * Rows that belong to a page of records (journal entries, sys_audit rows, attachments), read in bulk:
 * one keyset scan (scan.ts) per chunk of IDS_PER_REQUEST records, `<key>IN<sys_ids>`, and with it
 * whether each record's rows are all there (issue 12).
 *
 * A chunk is complete when its scan reached the end and delivered the instance's own count
 * (X-Total-Count). When it did not — the scan stopped at the policy's cap, or rows hidden by ACLs
 * (sysparm_limit applies before ACLs, X-Total-Count counts them) left a gap — one Aggregate API
 * request (`GET /api/now/stats/{table}?sysparm_count=true&sysparm_group_by=<key>`, ServiceNowDocs
 * `api-reference/rest-apis/c_AggregateAPI.md`) counts the rows per record, and only the records
 * that lack some are partial. If that count is refused (the API answers 403 when an ACL hides any
 * row), every record of the chunk is partial, since none can be shown whole.
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import { part, type PartCompleteness } from '../item-depth.js';
import { mapBounded } from '../kit/each.js';
import { walkPages } from '../kit/walker.js';
import { startCursor } from './cursor.js';
import { value, type SnRecord } from './fields.js';
import { scanListing } from './scan.js';

/** Records per bulk query: keeps the URL (and the Link header repeating it) well under 8 KiB. */
export const IDS_PER_REQUEST = 100;
const ROWS_PER_REQUEST = 1000;

export interface BulkSpec {
  /** table of the rows, also the one the Aggregate API counts */
  table: string;
  /** the listing's path when it is not the Table API's */
  path?: string;
  /** the field holding the owning record's sys_id */
  key: string;
  /** encoded query of the rows of these records */
  query(ids: readonly string[]): string;
  /** sysparm_fields of a Table API listing; null for an API that takes no such parameters (Attachment API) */
  fields: string | null;
  /** what the rows are called in a reason: "sys_audit rows" */
  noun: string;
  /** names the listing in errors */
  what: string;
  /** rows read per chunk before the rest is left unread */
  cap: number;
}

export interface BulkRead {
  rows: Map<string, SnRecord[]>;
  parts: Map<string, PartCompleteness>;
}

interface Scanned {
  rows: SnRecord[];
  /** the instance's count for the whole chunk (before ACLs), when it says */
  declared: number | null;
  ended: boolean;
}

async function scanChunk(http: SourceHttp, spec: BulkSpec, ids: readonly string[], signal: AbortSignal): Promise<Scanned> {
  const listing = scanListing(http, {
    table: spec.table,
    ...(spec.path ? { path: spec.path } : {}),
    groups: [spec.query(ids)],
    extra: [],
    limit: Math.max(1, Math.min(ROWS_PER_REQUEST, spec.cap)), // a cap below a page stops at a page's end
    params: spec.fields === null ? {} : { sysparm_fields: spec.fields, sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true' },
  }, `${spec.what} of ${ids.length} records`);
  const rows: SnRecord[] = [];
  let declared: number | null = null;
  for await (const page of walkPages(listing, startCursor(), signal)) {
    rows.push(...page.records);
    declared = page.total;
    if (page.next === null) return { rows, declared, ended: true };
    if (rows.length >= spec.cap) break; // leaving the loop aborts the prefetched page
  }
  return { rows, declared, ended: false };
}

/** Rows per record by the Aggregate API, or the reason it could not tell. */
export async function countPerRecord(
  http: SourceHttp, spec: BulkSpec, ids: readonly string[], signal: AbortSignal,
): Promise<Map<string, number> | string> {
  try {
    const res = await http.get<{ result?: unknown }>(`/api/now/stats/${encodeURIComponent(spec.table)}`, {
      query: { sysparm_count: 'true', sysparm_group_by: spec.key, sysparm_query: spec.query(ids) },
      signal,
    });
    const groups = Array.isArray(res.body?.result) ? (res.body.result as Record<string, unknown>[]) : null;
    if (!groups) return 'the Aggregate API answered without groups';
    const counts = new Map<string, number>();
    for (const g of groups) {
      const by = Array.isArray(g.groupby_fields) ? (g.groupby_fields as { field?: unknown; value?: unknown }[]) : [];
      const id = by.find((f) => f.field === spec.key)?.value;
      const n = Number((g.stats as { count?: unknown } | undefined)?.count);
      if (typeof id === 'string' && Number.isInteger(n)) counts.set(id, n);
    }
    return counts;
  } catch (err) {
    if (err instanceof SourceError && err.code !== 'SOURCE_UNAVAILABLE' && err.code !== 'SOURCE_RATE_LIMITED') {
      return `the Aggregate API refused to count them (${err.message})`;
    }
    throw err;
  }
}

async function readChunk(http: SourceHttp, spec: BulkSpec, ids: readonly string[], signal: AbortSignal): Promise<BulkRead> {
  const scanned = await scanChunk(http, spec, ids, signal);
  const rows = new Map<string, SnRecord[]>(ids.map((id) => [id, []]));
  for (const row of scanned.rows) rows.get(value(row, spec.key))?.push(row);
  const parts = new Map<string, PartCompleteness>();
  const whole = scanned.ended && (scanned.declared === null || scanned.rows.length >= scanned.declared);
  if (whole) {
    for (const [id, list] of rows) parts.set(id, part(list.length, list.length));
    return { rows, parts };
  }
  const why = scanned.ended
    ? `${scanned.declared! - scanned.rows.length} of ${scanned.declared} ${spec.noun} of ${ids.length} records are hidden from this account (ACL)`
    : `reading stopped at ${spec.cap} ${spec.noun} per ${IDS_PER_REQUEST} records (policy cap)`;
  const counts = await countPerRecord(http, spec, ids, signal);
  for (const [id, list] of rows) {
    if (typeof counts === 'string') {
      parts.set(id, part(list.length, null, `${why}; ${counts}`));
      continue;
    }
    const total = counts.get(id) ?? 0;
    parts.set(id, part(list.length, total, list.length < total ? `ServiceNow has ${total} ${spec.noun} for this record, ${list.length} read: ${why}` : null));
  }
  return { rows, parts };
}

/** Every chunk of the page at once (a page of 100 records is one chunk). */
export async function readBulk(http: SourceHttp, spec: BulkSpec, sysIds: readonly string[], signal: AbortSignal): Promise<BulkRead> {
  const chunks: string[][] = [];
  for (let i = 0; i < sysIds.length; i += IDS_PER_REQUEST) chunks.push(sysIds.slice(i, i + IDS_PER_REQUEST));
  const results = await mapBounded(chunks, chunks.length, signal, (ids, inner) => readChunk(http, spec, ids, inner));
  const out: BulkRead = { rows: new Map(), parts: new Map() };
  for (const r of results) {
    for (const [id, list] of r.rows) out.rows.set(id, list);
    for (const [id, p] of r.parts) out.parts.set(id, p);
  }
  return out;
}

/** Every record of the page partial for one reason (the rows' table cannot be read at all). */
export function allPartial(sysIds: readonly string[], reason: string): BulkRead {
  return { rows: new Map(sysIds.map((id) => [id, []])), parts: new Map(sysIds.map((id) => [id, part(0, null, reason)])) };
}
