/**
 * Comments and work notes of a whole page of records from sys_journal_field, in bulk: one
 * query `element_idIN<ids>^elementINcomments,work_notes` per page (the Table API returns
 * journal fields as ""), paged in keyset order by the page walker like the records themselves.
 * Ids are sent in chunks of IDS_PER_REQUEST (bulk.ts) so the URL stays well under common 8 KiB
 * request-line limits; with the default batch size that is one request per page. Whether each
 * record's journal is complete comes from the scan's end against X-Total-Count (bulk.ts).
 * (ServiceNowDocs `api-reference/web-services/retrieving-journal-entries.md`.)
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import { readBulk, type BulkRead, type BulkSpec } from './bulk.js';

const JOURNAL_FIELDS = 'sys_id,element_id,element,value,sys_created_on,sys_created_by';

/** Default cap on journal rows per chunk of records, when the caller names none (see policy.ts). */
export const JOURNAL_CAP = 50_000;

export function journalSpec(cap: number): BulkSpec {
  return {
    table: 'sys_journal_field',
    key: 'element_id',
    query: (ids) => `element_idIN${ids.join(',')}^elementINcomments,work_notes`,
    fields: JOURNAL_FIELDS,
    noun: 'journal entries',
    what: 'ServiceNow journal (sys_journal_field)',
    cap,
  };
}

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

/** For a dry run: can this account read the journal at all? One row, one request. */
export async function probeJournal(http: SourceHttp, signal: AbortSignal): Promise<void> {
  try {
    await http.get('/api/now/table/sys_journal_field', { query: { sysparm_limit: 1, sysparm_fields: 'sys_id' }, signal });
  } catch (err) {
    throw explained(err);
  }
}

/** sys_id of a record → its journal rows as received, and whether they are all there. */
export async function fetchJournal(http: SourceHttp, sysIds: string[], signal: AbortSignal, cap = JOURNAL_CAP): Promise<BulkRead> {
  try {
    return await readBulk(http, journalSpec(cap), sysIds, signal);
  } catch (err) {
    throw explained(err);
  }
}
