/**
 * Reading Table API field values. Depending on sysparm_display_value and
 * sysparm_exclude_reference_link a field arrives as a plain string, as
 * `{link, value}` / `{display_value, link}` (references) or as `{display_value, value, link?}`
 * (display_value=all, every field); an empty reference is `""`. Every scalar is a string.
 * (ServiceNowDocs `api-reference/rest-apis/c_TableAPI.md`.)
 */
export interface FieldValue {
  /** Stored value: sys_id for references, choice value, UTC date-time text. '' when empty. */
  value: string;
  /** Display value: the referenced record's display field, the choice label. '' when empty. */
  display: string;
}

export type SnRecord = Record<string, unknown>;

export function field(record: SnRecord, name: string): FieldValue {
  const raw = record[name];
  if (typeof raw === 'string') return { value: raw, display: raw };
  if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw), display: String(raw) };
  if (raw && typeof raw === 'object') {
    const obj = raw as Record<string, unknown>;
    const value = typeof obj.value === 'string' ? obj.value : '';
    const display = typeof obj.display_value === 'string' ? obj.display_value : value;
    return { value, display };
  }
  return { value: '', display: '' };
}

export function value(record: SnRecord, name: string): string {
  return field(record, name).value;
}

const SN_DATE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** ServiceNow stored date-time ("YYYY-MM-DD HH:MM:SS", UTC) → ISO-8601 with Z; null when empty or malformed. */
export function snDateToIso(text: string): string | null {
  const m = SN_DATE_TIME.exec(text.trim());
  if (!m) return null;
  const iso = `${m[1]}T${m[2]}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/** Date → ServiceNow stored date-time text (UTC), as encoded queries compare it. */
export function toSnDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
