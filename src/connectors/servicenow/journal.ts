/**
 * Comments and work notes of a whole page of records from sys_journal_field, in bulk: one
 * query `element_idIN<ids>^elementINcomments,work_notes` per page (the Table API returns
 * journal fields as ""), paged in keyset order by the page walker like the records themselves.
 * Ids are sent in chunks of IDS_PER_REQUEST so the URL stays well under common 8 KiB
 * request-line limits; with the default batch size that is one request per page.
 * (ServiceNowDocs `api-reference/web-services/retrieving-journal-entries.md`.)
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import { mapBounded } from '../kit/each.js';
import { collectPages } from '../kit/walker.js';
import { startCursor } from './cursor.js';
import { value, type SnRecord } from './fields.js';
import { scanListing } from './scan.js';

export const IDS_PER_REQUEST = 100;
const JOURNAL_LIMIT = 1000;
const JOURNAL_FIELDS = 'sys_id,element_id,element,value,sys_created_on,sys_created_by';

/** A refusal to read the journal says what to do about it. */
function explained(err: unknown): unknown {
  if (err instanceof SourceError && err.code === 'SOURCE_AUTH_FAILED') {
    return new SourceError(
      'SOURCE_AUTH_FAILED',
      'ServiceNow refused to read sys_journal_field (comments and work notes): grant read access to it or import with include_comments=false',
      err.httpStatus_,
    );
  }
  return err;
}

async function fetchChunk(http: SourceHttp, ids: string[], signal: AbortSignal): Promise<SnRecord[]> {
  try {
    const listing = scanListing(http, {
      table: 'sys_journal_field',
      groups: [`element_idIN${ids.join(',')}^elementINcomments,work_notes`],
      extra: [],
      limit: JOURNAL_LIMIT,
      params: { sysparm_fields: JOURNAL_FIELDS, sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true' },
    }, `ServiceNow journal (sys_journal_field) of ${ids.length} records`);
    return await collectPages(listing, startCursor(), signal);
  } catch (err) {
    throw explained(err);
  }
}

/** For a dry run: can this account read the journal at all? One row, one request. */
export async function probeJournal(http: SourceHttp, signal: AbortSignal): Promise<void> {
  try {
    await http.get('/api/now/table/sys_journal_field', { query: { sysparm_limit: 1, sysparm_fields: 'sys_id' }, signal });
  } catch (err) {
    throw explained(err);
  }
}

/** sys_id of a record → its journal rows as received. */
export async function fetchJournal(http: SourceHttp, sysIds: string[], signal: AbortSignal): Promise<Map<string, SnRecord[]>> {
  const chunks: string[][] = [];
  for (let i = 0; i < sysIds.length; i += IDS_PER_REQUEST) chunks.push(sysIds.slice(i, i + IDS_PER_REQUEST));
  const results = await mapBounded(chunks, chunks.length, signal, (ids, inner) => fetchChunk(http, ids, inner));
  const byRecord = new Map<string, SnRecord[]>();
  for (const entry of results.flat()) {
    const id = value(entry, 'element_id');
    const list = byRecord.get(id);
    if (list) list.push(entry);
    else byRecord.set(id, [entry]);
  }
  return byRecord;
}
