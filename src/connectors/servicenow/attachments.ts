/**
 * Attachment metadata from the Attachment API, in bulk for a page of records (bulk.ts):
 * `GET /api/now/attachment?sysparm_query=table_nameIN<classes>^table_sys_idIN<sys_ids>` (queries
 * are relative to sys_attachment and may order with ORDERBY), paged like a Table API listing; the
 * content from `GET /api/now/attachment/{sys_id}/file`. (ServiceNowDocs
 * `api-reference/rest-apis/c_AttachmentAPI.md`: file_name, size_bytes, content_type,
 * sys_created_by, sys_created_on, table_name, table_sys_id, download_link.)
 *
 * The source URL is built from the configured instance URL and the attachment's sys_id, in the
 * documented form, rather than taken from `download_link`: it then never names another host, and
 * carries no credential (the content request sends the connector's own Authorization header).
 */
import type { SourceHttp } from '../../outbound/types.js';
import type { Attachment } from '../item-depth.js';
import { allPartial, readBulk, type BulkRead, type BulkSpec } from './bulk.js';
import { snDateToIso, value, type SnRecord } from './fields.js';
import { refusal } from './history.js';

export function attachmentSpec(classes: readonly string[], cap: number): BulkSpec {
  return {
    table: 'sys_attachment',
    path: '/api/now/attachment',
    key: 'table_sys_id',
    query: (ids) => `table_nameIN${classes.join(',')}^table_sys_idIN${ids.join(',')}`,
    fields: null, // the Attachment API documents no sysparm_fields: whole metadata rows
    noun: 'attachments',
    what: 'ServiceNow attachments (Attachment API)',
    cap,
  };
}

export async function fetchAttachments(http: SourceHttp, sysIds: string[], spec: BulkSpec, signal: AbortSignal): Promise<BulkRead> {
  try {
    return await readBulk(http, spec, sysIds, signal);
  } catch (err) {
    const reason = refusal(err, 'sys_attachment', '');
    if (reason) return allPartial(sysIds, reason);
    throw err;
  }
}

export function contentUrl(baseUrl: string, sysId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/now/attachment/${encodeURIComponent(sysId)}/file`;
}

export function toAttachments(rows: SnRecord[], baseUrl: string): Attachment[] {
  return [...rows]
    .sort((a, b) => value(a, 'sys_created_on').localeCompare(value(b, 'sys_created_on')) || value(a, 'sys_id').localeCompare(value(b, 'sys_id')))
    .map((r) => {
      const size = Number(value(r, 'size_bytes'));
      const by = value(r, 'sys_created_by');
      return {
        external_id: value(r, 'sys_id'),
        name: value(r, 'file_name'),
        size: value(r, 'size_bytes') !== '' && Number.isInteger(size) && size >= 0 ? size : null,
        media_type: value(r, 'content_type') || null,
        author: by ? { external_id: by, name: by, email: null } : null,
        created_at: snDateToIso(value(r, 'sys_created_on')),
        source_url: contentUrl(baseUrl, value(r, 'sys_id')),
        content: null,
      };
    });
}

/** The file's bytes, as the Attachment API serves them (Accept: the default *\/*). */
export async function attachmentContent(
  http: SourceHttp, att: Attachment, opts: { signal: AbortSignal; maxBytes: number },
): Promise<{ bytes: Buffer; media_type: string | null }> {
  if (!att.source_url) throw new Error(`attachment ${att.external_id} has no source URL`);
  const res = await http.get<Buffer>(att.source_url, { responseType: 'bytes', maxBytes: opts.maxBytes, signal: opts.signal, headers: { Accept: '*/*' } });
  return { bytes: res.body, media_type: res.headers['content-type'] ?? att.media_type };
}
