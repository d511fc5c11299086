/**
 * The fake instance's Aggregate API count and Attachment API content.
 *
 * - Aggregate (ServiceNowDocs `api-reference/rest-apis/c_AggregateAPI.md`, = https://www.servicenow.com/docs/r/api-reference/rest-apis/c_AggregateAPI.html):
 *   GET /api/now[/v1]/stats/{table}?sysparm_count=true[&sysparm_group_by=f][&sysparm_query=…]. With
 *   a group-by the result is a list of `{stats: {count: "n"}, groupby_fields: [{value, field}]}`, one
 *   per value; without, one `{stats: {count: "n"}}`; without sysparm_count (or an aggregate field)
 *   no aggregate is computed. "If an ACL prevents the requesting user from accessing any record in
 *   the table, the request returns a 403 Forbidden error."
 * - Attachment content (`c_AttachmentAPI.md`, = https://www.servicenow.com/docs/r/api-reference/rest-apis/c_AttachmentAPI.html):
 *   GET /api/now[/v1]/attachment/{sys_id}/file answers the bytes with the stored content type and
 *   X-Attachment-Metadata (the metadata as JSON); an unknown or hidden attachment is 404.
 *   The list (GET /api/now/attachment) is the Table API listing of sys_attachment in servicenow.ts,
 *   whole rows (the API documents no sysparm_fields), with X-Total-Count and Link.
 */
import { attachmentBytes, type ServiceNowData } from './servicenow-data.js';
import { errorBody, type Reply } from './servicenow-faults.js';
import { matches, parseQuery, type Row } from './servicenow-query.js';

export const STATS_PATH = /^\/api\/now\/(?:v1\/)?stats\/([^/]+)$/;
export const ATTACHMENT_LIST_PATH = /^\/api\/now\/(?:v1\/)?attachment$/;
export const ATTACHMENT_FILE_PATH = /^\/api\/now\/(?:v1\/)?attachment\/([0-9a-f]{32})\/file$/;

const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };
const fail = (status: number, message: string, detail: string | null): Reply => ({ status, headers: JSON_TYPE, body: errorBody(message, detail) });

export function statsReply(data: ServiceNowData, url: URL, table: string, hidden: ((t: string, r: Row) => boolean) | undefined): Reply {
  const p = url.searchParams;
  const q = parseQuery(p.get('sysparm_query') ?? '', data.fieldsOf(table), data.orderedFieldsOf(table));
  const rows = data.rows(table).filter((r) => matches(q, r));
  if (hidden && rows.some((r) => hidden(table, r))) return fail(403, 'User Not Authorized', `Insufficient rights to read some records of ${table}`);
  if (p.get('sysparm_count') !== 'true') return { status: 200, headers: JSON_TYPE, body: JSON.stringify({ result: { stats: {} } }) };
  const by = p.get('sysparm_group_by');
  if (!by || !data.fieldsOf(table).has(by)) {
    return { status: 200, headers: JSON_TYPE, body: JSON.stringify({ result: { stats: { count: String(rows.length) } } }) };
  }
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r[by] ?? '', (counts.get(r[by] ?? '') ?? 0) + 1);
  const result = [...counts].map(([value, n]) => ({ stats: { count: String(n) }, groupby_fields: [{ value, field: by }] }));
  return { status: 200, headers: JSON_TYPE, body: JSON.stringify({ result }) };
}

export interface FileReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export function attachmentFileReply(data: ServiceNowData, id: string, hidden: ((t: string, r: Row) => boolean) | undefined): FileReply {
  const row = data.get('sys_attachment', id);
  if (!row || hidden?.('sys_attachment', row)) return fail(404, 'Record not found', 'Attachment record not found');
  const meta = { ...row };
  return {
    status: 200,
    headers: { 'content-type': row.content_type || 'application/octet-stream', 'X-Attachment-Metadata': JSON.stringify(meta) },
    body: attachmentBytes(id, Number(row.size_bytes)),
  };
}
