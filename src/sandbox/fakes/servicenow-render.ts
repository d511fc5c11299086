/**
 * How the fake Table API renders stored rows, after ServiceNowDocs
 * `api-reference/rest-apis/c_TableAPI.md` (record examples, sysparm_display_value,
 * sysparm_exclude_reference_link, sysparm_fields):
 * - every value is a JSON string; empty values are "";
 * - a reference is `{link, value}` (display_value=false), `{display_value, link}` (true) or
 *   `{display_value, value, link}` (all); an empty reference is "" (all: both parts "");
 *   with sysparm_exclude_reference_link=true the link is left out (false: the bare sys_id);
 * - display_value=all turns every field into `{display_value, value}`; choice fields show their
 *   label, date-times the calling user's time zone (the fake's user lives at UTC-8), so a
 *   client that reads display values as UTC gets visibly wrong times.
 */
import type { Row } from './servicenow-query.js';

export interface TableDef {
  /** reference field → target table */
  refs: Record<string, string>;
  /** choice field → stored value → label */
  choices: Record<string, Record<string, string>>;
  /** the field shown when another table references this one */
  displayField: string;
}

export const DATE_FIELDS = new Set(['sys_created_on', 'sys_updated_on', 'opened_at', 'closed_at', 'resolved_at', 'sla_due', 'due_date']);

export type DisplayMode = 'false' | 'true' | 'all';

export interface RenderContext {
  baseUrl: string;
  tables: Map<string, TableDef>;
  /** display value of a referenced record */
  lookup: (table: string, sysId: string) => string;
}

function userTime(utc: string): string {
  if (utc === '') return '';
  const shifted = new Date(Date.parse(`${utc.replace(' ', 'T')}Z`) - 8 * 3600_000);
  return shifted.toISOString().slice(0, 19).replace('T', ' ');
}

function displayOf(def: TableDef, name: string, v: string): string {
  if (DATE_FIELDS.has(name)) return userTime(v);
  return def.choices[name]?.[v] ?? v;
}

function renderRef(ctx: RenderContext, target: string, v: string, mode: DisplayMode, excludeLink: boolean): unknown {
  if (v === '') return mode === 'all' ? { display_value: '', value: '' } : '';
  const link = `${ctx.baseUrl}/api/now/table/${target}/${v}`;
  const display = ctx.lookup(target, v);
  if (mode === 'false') return excludeLink ? v : { link, value: v };
  if (mode === 'true') return excludeLink ? display : { display_value: display, link };
  return excludeLink ? { display_value: display, value: v } : { display_value: display, value: v, link };
}

export function renderRow(
  ctx: RenderContext,
  table: string,
  row: Row,
  opts: { mode: DisplayMode; excludeLink: boolean; fields: string[] | null },
): Record<string, unknown> {
  const def = ctx.tables.get(table)!;
  const names = opts.fields ? opts.fields.filter((f) => f in row) : Object.keys(row);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = row[name]!;
    const target = def.refs[name];
    if (target) out[name] = renderRef(ctx, target, v, opts.mode, opts.excludeLink);
    else if (opts.mode === 'false') out[name] = v;
    else if (opts.mode === 'true') out[name] = displayOf(def, name, v);
    else out[name] = { display_value: displayOf(def, name, v), value: v };
  }
  return out;
}
