/**
 * Field history from sys_audit, read in bulk for a page of records like the journal (bulk.ts):
 * `tablenameIN<classes>^documentkeyIN<sys_ids>` (the table name keeps the query on the audit
 * table's (tablename, documentkey) lookup). sys_audit keeps every audited change for good, while
 * sys_history_line is a per-user cache rebuilt from it and dropped after weeks, so sys_audit is
 * the one read. (ServiceNowDocs `platform-security/c_UnderstandingTheSysAuditTable.md`: tablename,
 * fieldname, documentkey, user = the user name, oldvalue/newvalue = stored values, references as
 * sys_ids, date-times in UTC; c_DiffBtwnAuditHistSets.md for history sets.)
 *
 * Left out, in the query so the counts agree: journal fields (comments, work notes and any other
 * journal column): sys_audit records each entry, and they are the item's comments already; and the
 * record-level DELETED / RECOVERED markers, which are not field changes. System fields need no
 * filter: the platform audits no `sys_` field but sys_class_name and sys_domain_id ("Exempted table
 * information"), and sys_mod_count never appears.
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { HistoryEntry } from '../item-depth.js';
import { allPartial, readBulk, type BulkRead, type BulkSpec } from './bulk.js';
import { snDateToIso, value, type SnRecord } from './fields.js';
import { labelOf, type TableMeta } from './meta.js';

const AUDIT_FIELDS = 'sys_id,sys_created_on,documentkey,fieldname,oldvalue,newvalue,user';
const NOT_FIELD_CHANGES = ['comments', 'work_notes', 'DELETED', 'RECOVERED'];

export function journalColumns(meta: TableMeta): string[] {
  return [...meta.fields.values()].filter((f) => f.type.startsWith('journal')).map((f) => f.element);
}

export function historySpec(classes: readonly string[], meta: TableMeta, cap: number): BulkSpec {
  const skipped = [...new Set([...NOT_FIELD_CHANGES, ...journalColumns(meta)])].sort();
  return {
    table: 'sys_audit',
    key: 'documentkey',
    query: (ids) => `tablenameIN${classes.join(',')}^documentkeyIN${ids.join(',')}^fieldnameNOT IN${skipped.join(',')}`,
    fields: AUDIT_FIELDS,
    noun: 'sys_audit rows',
    what: 'ServiceNow history (sys_audit)',
    cap,
  };
}

/** A table the account may not read (403), or one the instance does not have, leaves the history partial, not the job failed. */
export function refusal(err: unknown, table: string, option: string): string | null {
  if (!(err instanceof SourceError)) return null;
  if ((err.code === 'SOURCE_AUTH_FAILED' && err.httpStatus_ === 403) || err.code === 'SOURCE_NOT_FOUND') {
    return `ServiceNow refused to read ${table} (HTTP ${err.httpStatus_ ?? '?'}): grant read access to it${option}`;
  }
  return null;
}

export async function fetchHistory(http: SourceHttp, sysIds: string[], spec: BulkSpec, signal: AbortSignal): Promise<BulkRead> {
  try {
    return await readBulk(http, spec, sysIds, signal);
  } catch (err) {
    const reason = refusal(err, 'sys_audit', ' or import with include_history=false');
    if (reason) return allPartial(sysIds, reason);
    throw err;
  }
}

function shown(meta: TableMeta, field: string, stored: string): string | null {
  if (stored === '') return null;
  return meta.choices.get(field)?.get(stored) ?? stored;
}

/** sys_audit rows of one record → history, oldest first. Choice values show their labels; references stay sys_ids. */
export function toHistory(rows: SnRecord[], meta: TableMeta): HistoryEntry[] {
  return [...rows]
    .sort((a, b) => value(a, 'sys_created_on').localeCompare(value(b, 'sys_created_on')) || value(a, 'sys_id').localeCompare(value(b, 'sys_id')))
    .map((r) => {
      const field = value(r, 'fieldname');
      const user = value(r, 'user');
      return {
        at: snDateToIso(value(r, 'sys_created_on')),
        actor: user ? { external_id: user, name: user, email: null } : null,
        field: labelOf(meta, field),
        from: shown(meta, field, value(r, 'oldvalue')),
        to: shown(meta, field, value(r, 'newvalue')),
      };
    });
}
