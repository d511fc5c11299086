/**
 * The fake instance's tables: incident, sys_user, sys_user_group and sys_journal_field, stored
 * as ServiceNow stores them (every value a string, references as sys_ids, dates as UTC
 * "YYYY-MM-DD HH:MM:SS"). Field sets and choice labels follow the incident example and the
 * state list of the ServiceNow docs (c_TableAPI.md; incident states 1 New, 2 In Progress,
 * 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled). Data can change while an import runs:
 * `update` moves sys_updated_on forward, `insert` creates rows after everything seeded.
 */
import { createHash } from 'node:crypto';
import type { Row } from './servicenow-query.js';
import { DATE_FIELDS, type TableDef } from './servicenow-render.js';

/** Integer fields (choice fields holding integers, counters). */
const NUMERIC_FIELDS = new Set(['state', 'priority', 'sys_mod_count']);

const INCIDENT: TableDef = {
  refs: { assigned_to: 'sys_user', caller_id: 'sys_user', opened_by: 'sys_user', assignment_group: 'sys_user_group', parent_incident: 'incident' },
  choices: {
    state: { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' },
    priority: { '1': '1 - Critical', '2': '2 - High', '3': '3 - Moderate', '4': '4 - Low', '5': '5 - Planning' },
    category: { inquiry: 'Inquiry / Help', software: 'Software', hardware: 'Hardware', network: 'Network', database: 'Database' },
  },
  displayField: 'number',
};

const INCIDENT_FIELDS = [
  'sys_id', 'number', 'short_description', 'description', 'state', 'priority', 'category', 'assigned_to', 'caller_id',
  'opened_by', 'assignment_group', 'parent_incident', 'opened_at', 'closed_at', 'resolved_at', 'active', 'sys_created_on',
  'sys_updated_on', 'sys_created_by', 'sys_updated_by', 'sys_mod_count', 'sys_class_name', 'comments', 'work_notes',
];

export function sysId(seed: string): string {
  return createHash('md5').update(seed).digest('hex');
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
  ]);
  private readonly store = new Map<string, Map<string, Row>>();
  private readonly fields = new Map<string, Set<string>>([
    ['incident', new Set(INCIDENT_FIELDS)],
    ['sys_user', new Set(['sys_id', 'name', 'user_name', 'email', 'sys_created_on', 'sys_updated_on'])],
    ['sys_user_group', new Set(['sys_id', 'name', 'sys_created_on', 'sys_updated_on'])],
    ['sys_journal_field', new Set(['sys_id', 'element_id', 'element', 'name', 'value', 'sys_created_on', 'sys_created_by'])],
  ]);
  /** the instance clock (epoch ms): seeded rows are in the past, changes happen "now" */
  clock = Date.UTC(2025, 0, 1);

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
    Object.assign(row, patch, { sys_updated_on: this.tick(), sys_mod_count: String(Number(row.sys_mod_count || 0) + 1) });
    return row;
  }

  /** Deletes a row, as DELETE /api/now/table/{table}/{sys_id} would: it answers 404 from then on. */
  delete(table: string, id: string): void {
    if (!this.store.get(table)?.delete(id)) throw new Error(`no ${table} ${id}`);
  }

  addJournal(recordId: string, element: 'comments' | 'work_notes', value: string, by: string, at?: string): Row {
    const n = this.store.get('sys_journal_field')?.size ?? 0;
    const when = at ?? this.tick();
    return this.put('sys_journal_field', {
      sys_id: sysId(`journal-${n}-${recordId}`), element_id: recordId, element, name: 'incident', value, sys_created_on: when, sys_created_by: by,
    });
  }
}
