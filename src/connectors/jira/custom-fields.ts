/**
 * A Jira issue's custom fields (and `duedate`, which has no normalized field of its own), typed and
 * named from the `names` and `schema` expansions the connector keeps on the raw issue (search
 * answers them per page, GET issue per issue; JsonTypeBean: type, items, system, custom).
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/ (schema types)
 * A field without a schema (an older record) is typed from its value. Null values are left out.
 */
import type { CustomField } from '../item-depth.js';
import { adfToMarkdown } from './adf.js';
import { jiraTime, person } from './values.js';
import { wikiToMarkdown } from './wiki.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

const SPRINT = 'com.pyxis.greenhopper.jira:gh-sprint';
/** System fields read as custom ones: outside the normalized set, wanted by field_map. */
const SYSTEM_AS_CUSTOM = new Set(['duedate']);

interface Schema {
  type?: unknown;
  items?: unknown;
  custom?: unknown;
}

export function isCustomField(id: string): boolean {
  return id.startsWith('customfield_') || SYSTEM_AS_CUSTOM.has(id);
}

/** An option's text: `value` (select), `name` (version, component), a cascading select as "parent / child". */
function optionText(v: unknown): string | null {
  const o = obj(v);
  const own = str(o.value) ?? str(o.name) ?? str(v);
  if (own === null) return null;
  const child = str(obj(o.child).value);
  return child === null ? own : `${own} / ${child}`;
}

/**
 * A sprint as {id, name, state}: Cloud sends objects; Data Center's REST v2 the object's toString(),
 * `com.atlassian.greenhopper.service.sprint.Sprint@1f2e[id=1,rapidViewId=1,state=CLOSED,name=Sprint 1,…]`.
 */
function sprint(v: unknown): Obj | null {
  if (typeof v === 'object' && v !== null) {
    const o = obj(v);
    return { id: o.id ?? null, name: str(o.name), state: str(o.state)?.toLowerCase() ?? null };
  }
  const s = str(v);
  const inner = s === null ? null : /\[(.*)\]$/s.exec(s)?.[1];
  if (inner === null || inner === undefined) return null;
  // a value runs to the next `,key=` (a sprint name may hold commas)
  const part = (k: string) => new RegExp(`(?:^|,)${k}=(.*?)(?=,[A-Za-z]+=|$)`, 's').exec(inner)?.[1] ?? null;
  const id = part('id');
  return { id: id !== null && /^\d+$/.test(id) ? Number(id) : id, name: part('name'), state: part('state')?.toLowerCase() ?? null };
}

function richText(v: unknown): string | null {
  if (typeof v === 'string') return wikiToMarkdown(v);
  return typeof v === 'object' && v !== null ? adfToMarkdown(v, { mediaUrl: () => null }) : null;
}

/** [type, value] by the field's schema; null to leave the field out. */
function typed(v: unknown, schema: Schema): [string, unknown] | null {
  const type = str(schema.type);
  const kind = str(schema.custom) ?? '';
  const items = str(schema.items);
  if (kind === SPRINT) {
    const list = (Array.isArray(v) ? v : [v]).map(sprint).filter((s): s is Obj => s !== null);
    return ['sprint', list];
  }
  switch (type) {
    case 'number': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) ? ['number', n] : null;
    }
    case 'date':
      return typeof v === 'string' ? ['date', v.slice(0, 10)] : null;
    case 'datetime':
      return ['datetime', jiraTime(v)];
    case 'string':
      return kind.endsWith(':textarea') || typeof v === 'object' ? ['text', richText(v)] : ['string', str(v)];
    case 'option': case 'option-with-child': case 'version': case 'priority': case 'resolution': case 'component':
      return ['option', optionText(v)];
    case 'user':
      return ['user', person(v)];
    case 'array': {
      const list = Array.isArray(v) ? v : [v];
      if (items === 'user') return ['users', list.map(person).filter((p) => p !== null)];
      if (items === 'string' || items === 'option' || items === 'version' || items === 'component') {
        return ['options', list.map(optionText).filter((s) => s !== null)];
      }
      return ['object', v];
    }
    case 'boolean':
      return typeof v === 'boolean' ? ['boolean', v] : null;
    case undefined: case null:
      return untyped(v);
    default:
      return ['object', v];
  }
}

/** No schema: the value's own shape decides. */
function untyped(v: unknown): [string, unknown] {
  if (typeof v === 'number') return ['number', v];
  if (typeof v === 'boolean') return ['boolean', v];
  if (typeof v === 'string') return ['string', v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return ['options', v];
  return ['object', v];
}

/** The custom fields with a value, ordered by id. */
export function customFields(fields: Obj, names: Obj, schemas: Obj): CustomField[] {
  const out: CustomField[] = [];
  for (const id of Object.keys(fields).filter(isCustomField).sort()) {
    const v = fields[id];
    if (v === null || v === undefined) continue;
    const t = typed(v, obj(schemas[id]) as Schema);
    if (t === null || t[1] === null) continue;
    out.push({ id, name: str(names[id]) ?? id, type: t[0], value: t[1] });
  }
  return out;
}
