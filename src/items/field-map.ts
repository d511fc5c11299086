/**
 * options.field_map (issue 12): fills the normalized fields (story points, due date, sprint, severity)
 * from an item's custom fields. A map entry names a custom field by id or by display name (any case);
 * a field the job's map leaves out takes the connector's standard one. A value that does not fit the
 * field's type (text where a number is wanted) leaves it null rather than guessing.
 */
import type { CustomField, MappedField, MappedFields } from '../connectors/item-depth.js';
import { MAPPED_FIELDS } from '../connectors/item-depth.js';

/** A field named by one reference, or by several tried in order (a connector's defaults: the first present wins). */
export type FieldRefs = Partial<Record<MappedField, string | readonly string[]>>;

/** The job's map over the connector's defaults; null when neither names anything. */
export function effectiveFieldMap(jobMap: FieldRefs | undefined, defaults: FieldRefs | undefined): FieldRefs | null {
  const merged = { ...defaults, ...jobMap };
  return Object.keys(merged).length > 0 ? merged : null;
}

export function mapFields(customFields: readonly CustomField[], map: FieldRefs): MappedFields {
  const byId = new Map<string, CustomField>();
  const byName = new Map<string, CustomField>();
  for (const f of customFields) {
    byId.set(f.id.toLowerCase(), f);
    // the first of two fields with one display name wins; its id still reaches the other
    if (!byName.has(f.name.toLowerCase())) byName.set(f.name.toLowerCase(), f);
  }
  const pick = (field: MappedField): unknown => {
    const refs = map[field];
    for (const ref of typeof refs === 'string' ? [refs] : (refs ?? [])) {
      const found = byId.get(ref.toLowerCase()) ?? byName.get(ref.toLowerCase());
      if (found) return found.value;
    }
    return null;
  };
  const out = {} as MappedFields;
  for (const field of MAPPED_FIELDS) out[field] = null;
  out.story_points = toNumber(pick('story_points'));
  out.due_date = toDate(pick('due_date'));
  out.sprint = toLabel(pick('sprint'));
  out.severity = toLabel(pick('severity'));
  return out;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** A date (YYYY-MM-DD) from a date or date-time value. */
function toDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(v.trim());
  return m && !Number.isNaN(Date.parse(m[1]!)) ? m[1]! : null;
}

/**
 * Display text of an option, a named object (sprint, milestone, iteration) or the last of a list
 * (Jira keeps every sprint an issue was in; the current one is last).
 */
function toLabel(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length > 0 ? toLabel(v[v.length - 1]) : null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['name', 'value', 'title', 'label', 'display_value']) {
      if (typeof o[k] === 'string' && o[k] !== '') return o[k] as string;
    }
  }
  return null;
}
