/**
 * A subset of ServiceNow's encoded query language for the fake Table API, after
 * ServiceNowDocs `api-reference/rest-apis/c_TableAPI.md` (sysparm_query) and
 * `platform-user-interface/r_OpAvailableFiltersQueries.md` (operators):
 * `^` AND, `^OR` OR (binds tighter than `^`), `^NQ` a new OR'ed query group,
 * `ORDERBY<f>` / `ORDERBYDESC<f>`, operators = != > >= < <= IN, NOT IN, LIKE, NOT LIKE,
 * STARTSWITH, ENDSWITH, ISEMPTY, ISNOTEMPTY. Values compare as stored strings (dates are
 * "YYYY-MM-DD HH:MM:SS", which sorts correctly as text), numbers as numbers. As on a real
 * instance, a term naming an unknown field, or one that cannot be parsed, is silently ignored
 * (c_TableAPI.md: "if part of a query is invalid … the instance ignores the invalid part").
 * The operators table lists strict `>` / `<` only for date-time and numeric fields (string
 * fields get `>=`, `<=` and BETWEEN), so here `>` / `<` on any other field (a string, a sys_id,
 * a reference) is such an ignored part: a client must not depend on an undocumented operator.
 */
export type Row = Record<string, string>;

interface Cond {
  field: string;
  op: string;
  value: string;
  /** IN / NOT IN values */
  list: ReadonlySet<string>;
}

export interface ParsedQuery {
  /** OR of groups; each group an AND of terms; each term an OR of conditions */
  groups: Cond[][][];
  order: { field: string; desc: boolean }[];
}

const TERM = /^([a-z0-9_.]+?)(ISEMPTY|ISNOTEMPTY|NOT IN|NOT LIKE|STARTSWITH|ENDSWITH|LIKE|IN|!=|>=|<=|=|>|<)(.*)$/s;

function parseCond(text: string, fields: ReadonlySet<string>, ordered: ReadonlySet<string>): Cond | null {
  const m = TERM.exec(text);
  if (!m || !fields.has(m[1]!)) return null;
  if ((m[2] === '>' || m[2] === '<') && !ordered.has(m[1]!)) return null;
  const value = m[3] ?? '';
  return { field: m[1]!, op: m[2]!, value, list: new Set(m[2]!.endsWith('IN') ? value.split(',') : []) };
}

/** `ordered`: the date-time and numeric fields, the only ones with strict `>` / `<`. */
export function parseQuery(query: string, fields: ReadonlySet<string>, ordered: ReadonlySet<string>): ParsedQuery {
  const order: ParsedQuery['order'] = [];
  const groups: Cond[][][] = [];
  for (const groupText of query.split('^NQ')) {
    const terms: Cond[][] = [];
    for (const term of groupText.split('^')) {
      if (term === '' || term === 'EQ') continue;
      const orderBy = /^ORDERBY(DESC)?([a-z0-9_]+)$/.exec(term);
      if (orderBy) {
        if (fields.has(orderBy[2]!)) order.push({ field: orderBy[2]!, desc: orderBy[1] === 'DESC' });
        continue;
      }
      if (term.startsWith('OR') && terms.length > 0) {
        const alt = parseCond(term.slice(2), fields, ordered);
        if (alt) terms[terms.length - 1]!.push(alt);
        continue;
      }
      const cond = parseCond(term, fields, ordered);
      if (cond) terms.push([cond]);
    }
    groups.push(terms);
  }
  return { groups, order };
}

/** Numbers compare as numbers ("10" > "9"), everything else as text. */
function compare(a: string, b: string): number {
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function test(c: Cond, row: Row): boolean {
  const v = row[c.field] ?? '';
  switch (c.op) {
    case '=': return v === c.value;
    case '!=': return v !== c.value;
    case '>': return compare(v, c.value) > 0;
    case '>=': return compare(v, c.value) >= 0;
    case '<': return compare(v, c.value) < 0;
    case '<=': return compare(v, c.value) <= 0;
    case 'IN': return c.list.has(v);
    case 'NOT IN': return !c.list.has(v);
    case 'LIKE': return v.toLowerCase().includes(c.value.toLowerCase());
    case 'NOT LIKE': return !v.toLowerCase().includes(c.value.toLowerCase());
    case 'STARTSWITH': return v.toLowerCase().startsWith(c.value.toLowerCase());
    case 'ENDSWITH': return v.toLowerCase().endsWith(c.value.toLowerCase());
    case 'ISEMPTY': return v === '';
    case 'ISNOTEMPTY': return v !== '';
    default: return false;
  }
}

export function matches(q: ParsedQuery, row: Row): boolean {
  return q.groups.some((terms) => terms.every((alts) => alts.some((c) => test(c, row))));
}

export function compareRows(q: ParsedQuery): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const { field, desc } of q.order) {
      const x = a[field] ?? '';
      const y = b[field] ?? '';
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  };
}
