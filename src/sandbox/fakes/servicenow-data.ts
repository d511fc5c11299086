/**
 * The fake instance's tables: incident, sys_user, sys_user_group, sys_journal_field, sys_audit,
 * sys_attachment and the dictionary (servicenow-schema.ts), stored
 * as ServiceNow stores them (every value a string, references as sys_ids, dates as UTC
 * "YYYY-MM-DD HH:MM:SS"). Field sets and choice labels follow the incident example and the
 * state list of the ServiceNow docs (c_TableAPI.md; incident states 1 New, 2 In Progress,
 * 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled). Data can change while an import runs:
 * `update` moves sys_updated_on forward, `insert` creates rows after everything seeded.
 */
import { createHash } from 'node:crypto';
import type { Row } from './servicenow-query.js';
import { DATE_FIELDS, type TableDef } from './servicenow-render.js';
import { DEPTH_FIELDS, dictionaryRows, incidentChoices } from './servicenow-schema.js';

/** Integer fields (choice fields holding integers, counters). */
const NUMERIC_FIELDS = new Set(['state', 'priority', 'sys_mod_count', 'impact', 'urgency', 'severity', 'u_story_points', 'u_estimated_cost', 'size_bytes']);

const INCIDENT: TableDef = {
  refs: { assigned_to: 'sys_user', caller_id: 'sys_user', opened_by: 'sys_user', assignment_group: 'sys_user_group', parent_incident: 'incident', u_reviewer: 'sys_user' },
  choices: incidentChoices(),
  displayField: 'number',
};

const INCIDENT_FIELDS = [
  'sys_id', 'number', 'short_description', 'description', 'state', 'priority', 'category', 'assigned_to', 'caller_id',
  'opened_by', 'assignment_group', 'parent_incident', 'opened_at', 'closed_at', 'resolved_at', 'active', 'sys_created_on',
  'sys_updated_on', 'sys_created_by', 'sys_updated_by', 'sys_mod_count', 'sys_class_name', 'comments', 'work_notes', ...DEPTH_FIELDS,
];

/** Fields a form save records in sys_audit: not system fields, not journal fields (their entries are audited on their own). */
const UNAUDITED = /^(sys_(?!class_name$|domain_id$)|comments$|work_notes$)/;

/** sys_audit columns (c_UnderstandingTheSysAuditTable.md) and the Attachment API's metadata (c_AttachmentAPI.md). */
const AUDIT_FIELDS = ['sys_id', 'sys_created_on', 'sys_created_by', 'tablename', 'documentkey', 'fieldname', 'oldvalue', 'newvalue', 'user', 'record_checkpoint', 'reason'];
const ATTACHMENT_FIELDS = [
  'sys_id', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count', 'table_name', 'table_sys_id',
  'file_name', 'size_bytes', 'size_compressed', 'compressed', 'content_type', 'download_link', 'image_height', 'image_width', 'sys_tags',
];

export function sysId(seed: string): string {
  return createHash('md5').update(seed).digest('hex');
}

/** An attachment's content: `size` bytes repeating the SHA-256 of its sys_id (deterministic, not compressible to nothing). */
export function attachmentBytes(id: string, size: number): Buffer {
  const block = createHash('sha256').update(id).digest();
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += block.length) block.copy(out, i, 0, Math.min(block.length, size - i));
  return out;
}

export function snTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export class ServiceNowData {
  readonly tables = new Map<string, TableDef>([
    ['incident', INCIDENT],
    ['sys_user', { refs: {}, choices: {}, displayField: 'name' }],
    ['sys_user_group', { refs: {}, choices: {}, displayField: 'name' }],
    ['sys_journal_field', { refs: {}, choices: {}, displayField: 'sys_id' }],
    ['sys_audit', { refs: {}, choices: {}, displayField: 'sys_id' }],
    ['sys_attachment', { refs: {}, choices: {}, displayField: 'file_name' }],
    ['sys_dictionary', { refs: {}, choices: {}, displayField: 'element' }],
    ['sys_documentation', { refs: {}, choices: {}, displayField: 'label' }],
    ['sys_choice', { refs: {}, choices: {}, displayField: 'label' }],
  ]);
  private readonly store = new Map<string, Map<string, Row>>();
  private readonly fields = new Map<string, Set<string>>([
    ['incident', new Set(INCIDENT_FIELDS)],
    ['sys_user', new Set(['sys_id', 'name', 'user_name', 'email', 'sys_created_on', 'sys_updated_on'])],
    ['sys_user_group', new Set(['sys_id', 'name', 'sys_created_on', 'sys_updated_on'])],
    ['sys_journal_field', new Set(['sys_id', 'element_id', 'element', 'name', 'value', 'sys_created_on', 'sys_created_by'])],
    ['sys_audit', new Set(AUDIT_FIELDS)],
    ['sys_attachment', new Set(ATTACHMENT_FIELDS)],
    ['sys_dictionary', new Set(['sys_id', 'sys_created_on', 'name', 'element', 'internal_type', 'reference', 'choice'])],
    ['sys_documentation', new Set(['sys_id', 'sys_created_on', 'name', 'element', 'label', 'language'])],
    ['sys_choice', new Set(['sys_id', 'sys_created_on', 'name', 'element', 'value', 'label', 'language', 'inactive'])],
  ]);
  /** the instance clock (epoch ms): seeded rows are in the past, changes happen "now" */
  clock = Date.UTC(2025, 0, 1);
  /** who the instance records as making the changes `update` makes */
  actor = 'admin';
  /** the instance URL, for download_link (set by the server when it starts) */
  baseUrl = '';

  constructor() {
    const { dictionary, documentation, choices } = dictionaryRows();
    for (const r of dictionary) this.put('sys_dictionary', r);
    for (const r of documentation) this.put('sys_documentation', r);
    for (const r of choices) this.put('sys_choice', r);
  }

  rows(table: string): Row[] {
    return [...(this.store.get(table)?.values() ?? [])];
  }

  get(table: string, id: string): Row | undefined {
    return this.store.get(table)?.get(id);
  }

  fieldsOf(table: string): ReadonlySet<string> {
    return this.fields.get(table) ?? new Set();
  }

  /** The date-time and numeric fields of a table: the ones with strict `>` / `<` (see servicenow-query.ts). */
  orderedFieldsOf(table: string): ReadonlySet<string> {
    return new Set([...this.fieldsOf(table)].filter((f) => DATE_FIELDS.has(f) || NUMERIC_FIELDS.has(f)));
  }

  display(table: string, id: string): string {
    const def = this.tables.get(table);
    return (def && this.get(table, id)?.[def.displayField]) ?? '';
  }

  /** Adds a row as stored; missing known fields become "". */
  put(table: string, row: Row): Row {
    const full: Row = {};
    for (const f of this.fieldsOf(table)) full[f] = row[f] ?? '';
    Object.assign(full, row);
    let rows = this.store.get(table);
    if (!rows) this.store.set(table, (rows = new Map()));
    rows.set(full.sys_id!, full);
    return full;
  }

  private tick(): string {
    this.clock += 1000;
    return snTime(this.clock);
  }

  /** A new row created now (sorts after every seeded row). */
  insert(table: string, row: Row): Row {
    const now = this.tick();
    return this.put(table, { sys_created_on: now, sys_updated_on: now, sys_mod_count: '0', ...row });
  }

  /** Changes a row now, as a form save would. */
  update(table: string, id: string, patch: Row): Row {
    const row = this.get(table, id);
    if (!row) throw new Error(`no ${table} ${id}`);
    const now = this.tick();
    const count = String(Number(row.sys_mod_count || 0) + 1);
    if (table === 'incident') {
      for (const [field, to] of Object.entries(patch)) {
        if (!UNAUDITED.test(field) && (row[field] ?? '') !== to) this.addAudit(id, field, row[field] ?? '', to, this.actor, now, count);
      }
    }
    Object.assign(row, patch, { sys_updated_on: now, sys_mod_count: count });
    return row;
  }

  /** One sys_audit row as the platform writes it for a change of one field of an incident. */
  addAudit(recordId: string, fieldname: string, oldvalue: string, newvalue: string, user: string, at: string, checkpoint = '1'): Row {
    const n = this.store.get('sys_audit')?.size ?? 0;
    return this.put('sys_audit', {
      sys_id: sysId(`audit-${n}-${recordId}`), sys_created_on: at, sys_created_by: user, tablename: 'incident', documentkey: recordId,
      fieldname, oldvalue, newvalue, user, record_checkpoint: checkpoint, reason: '',
    });
  }

  /** An attachment of an incident; its content is attachmentBytes(sys_id, size). */
  addAttachment(recordId: string, a: { file_name: string; size: number; content_type: string; by: string; at: string }): Row {
    const n = this.store.get('sys_attachment')?.size ?? 0;
    const id = sysId(`attachment-${n}-${recordId}`);
    return this.put('sys_attachment', {
      sys_id: id, sys_created_on: a.at, sys_created_by: a.by, sys_updated_on: a.at, sys_updated_by: a.by, sys_mod_count: '0',
      table_name: 'incident', table_sys_id: recordId, file_name: a.file_name, size_bytes: String(a.size), size_compressed: String(a.size),
      compressed: 'false', content_type: a.content_type, download_link: `${this.baseUrl}/api/now/attachment/${id}/file`,
    });
  }

  /** Deletes a row, as DELETE /api/now/table/{table}/{sys_id} would: it answers 404 from then on. */
  delete(table: string, id: string): void {
    if (!this.store.get(table)?.delete(id)) throw new Error(`no ${table} ${id}`);
  }

  addJournal(recordId: string, element: 'comments' | 'work_notes', value: string, by: string, at?: string): Row {
    const n = this.store.get('sys_journal_field')?.size ?? 0;
    const when = at ?? this.tick();
    this.addAudit(recordId, element, '', value, by, when); // the platform audits each journal entry too
    return this.put('sys_journal_field', {
      sys_id: sysId(`journal-${n}-${recordId}`), element_id: recordId, element, name: 'incident', value, sys_created_on: when, sys_created_by: by,
    });
  }
}
