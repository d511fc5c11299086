/**
 * A record's fields outside the normalized ones, typed by the dictionary and named by their labels
 * (meta.ts). Which fields: every custom column (`u_…`, and `x_…` of scoped apps) and a fixed set of
 * standard task/incident fields that carry meaning a team moving trackers keeps but the normalized
 * shape has no place for (EXTRA_FIELDS). Normalized ones (state, priority, category, assignee,
 * caller, dates…) and system `sys_` fields are not repeated; journal columns are comments.
 *
 * Types (sys_dictionary internal_type): integer/longint/decimal/float/currency/price → number;
 * boolean → boolean; glide_date → date (YYYY-MM-DD); glide_date_time/due_date → datetime (ISO UTC);
 * a choice list → option (its label, as display_value=all shows it); reference to sys_user → user,
 * other references → object {id, name}; anything else → string. Empty values are null.
 */
import type { Person } from '../connector.js';
import type { CustomField } from '../item-depth.js';
import { field, snDateToIso, type SnRecord } from './fields.js';
import { labelOf, type TableMeta } from './meta.js';

export const EXTRA_FIELDS = [
  'impact', 'urgency', 'severity', 'due_date', 'subcategory', 'contact_type', 'close_code', 'close_notes',
  'reassignment_count', 'reopen_count', 'business_service', 'cmdb_ci', 'assignment_group',
] as const;

const NUMBER_TYPES = new Set(['integer', 'longint', 'decimal', 'float', 'currency', 'price']);
const DATETIME_TYPES = new Set(['glide_date_time', 'due_date', 'calendar_date_time']);

function isCustom(name: string): boolean {
  return name.startsWith('u_') || name.startsWith('x_');
}

function selected(name: string): boolean {
  return isCustom(name) || (EXTRA_FIELDS as readonly string[]).includes(name);
}

function typed(record: SnRecord, name: string, meta: TableMeta): Pick<CustomField, 'type' | 'value'> {
  const { value: stored, display } = field(record, name);
  const def = meta.fields.get(name);
  const type = def?.type ?? 'string';
  if (def?.choice) return { type: 'option', value: stored === '' ? null : display || stored };
  if (NUMBER_TYPES.has(type)) return { type: 'number', value: stored === '' || !Number.isFinite(Number(stored)) ? null : Number(stored) };
  if (type === 'boolean') return { type: 'boolean', value: stored === '' ? null : stored === 'true' };
  if (type === 'glide_date') return { type: 'date', value: /^\d{4}-\d{2}-\d{2}$/.test(stored) ? stored : null };
  if (DATETIME_TYPES.has(type)) return { type: 'datetime', value: snDateToIso(stored) };
  if (type === 'reference') {
    if (stored === '') return { type: def!.reference === 'sys_user' ? 'user' : 'object', value: null };
    const name = display && display !== stored ? display : null;
    if (def!.reference === 'sys_user') return { type: 'user', value: { external_id: stored, name, email: null } satisfies Person };
    return { type: 'object', value: { id: stored, name, table: def!.reference } };
  }
  return { type: 'string', value: stored === '' ? null : stored };
}

export function customFields(record: SnRecord, meta: TableMeta): CustomField[] {
  return Object.keys(record)
    .filter((name) => selected(name) && !(meta.fields.get(name)?.type ?? '').startsWith('journal'))
    .sort()
    .map((name) => ({ id: name, name: labelOf(meta, name), ...typed(record, name, meta) }));
}
