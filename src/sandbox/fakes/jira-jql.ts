/**
 * A small JQL evaluator for the Jira fake: AND-ed clauses (parentheses around a clause are
 * ignored), `project = X`, `project in (A, B)`, `id > N` / `>=`, `labels = x`,
 * `updated >= "-Nm"` (a period, counted back from now) or `"yyyy/MM/dd HH:mm"` (read as UTC: the
 * fake's user lives in UTC), `ORDER BY id ASC|DESC`. Errors use Jira's own wording:
 * https://support.atlassian.com/jira-software-cloud/docs/jql-fields/ (fields and operators).
 */
import type { FakeIssue } from './jira-data.js';

export class JqlError extends Error {}

type Predicate = (issue: FakeIssue, now: number) => boolean;

function unquote(v: string): string {
  return v.trim().replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
}

function period(v: string, now: number): number | null {
  const m = /^-(\d+)([mhdw])$/.exec(v.trim());
  if (!m) return null;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return now - Number(m[1]) * unit;
}

function absolute(v: string): number | null {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})(?: (\d{2}):(\d{2}))?$/.exec(v.trim());
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0)) : null;
}

/** Drops the grouping parentheses left on a clause by splitting `(a AND b) AND c` at AND. */
function ungroup(text: string): string {
  let c = text.trim();
  const count = (ch: string): number => c.split(ch).length - 1;
  while (c.startsWith('(') && (count('(') > count(')') || c.endsWith(')'))) c = c.slice(1).trim();
  while (c.endsWith(')') && count(')') > count('(')) c = c.slice(0, -1).trim();
  return c;
}

function clause(text: string, projects: Set<string>): Predicate {
  const c = ungroup(text);
  let m = /^project\s*=\s*(.+)$/i.exec(c);
  if (m || (m = /^project\s+in\s*\((.+)\)$/i.exec(c))) {
    const keys = m[1]!.split(',').map(unquote);
    for (const k of keys) {
      if (!projects.has(k)) throw new JqlError(`The value '${k}' does not exist for the field 'project'.`);
    }
    return (i) => keys.includes(i.project);
  }
  if ((m = /^id\s*(>=|>)\s*(\d+)$/i.exec(c))) {
    const n = Number(m[2]);
    return m[1] === '>' ? (i) => i.id > n : (i) => i.id >= n;
  }
  if ((m = /^labels\s*=\s*(.+)$/i.exec(c))) {
    const label = unquote(m[1]!);
    return (i) => i.labels.includes(label);
  }
  if ((m = /^updated\s*>=\s*(.+)$/i.exec(c))) {
    const v = unquote(m[1]!);
    const abs = absolute(v);
    if (abs === null && period(v, 0) === null) {
      throw new JqlError(`Date value '${v}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`);
    }
    return (i, now) => i.updatedMs >= (abs ?? period(v, now)!);
  }
  const field = /^([\w.]+)/.exec(c)?.[1] ?? c;
  throw new JqlError(`Field '${field}' does not exist or you do not have permission to view it.`);
}

function splitAnd(where: string): string[] {
  const parts: string[] = [];
  let quote = false;
  let start = 0;
  for (let i = 0; i < where.length; i++) {
    if (where[i] === '"') quote = !quote;
    if (!quote && /^\s+and\s+/i.test(where.slice(i, i + 6)) && /\s/.test(where[i]!)) {
      const m = /^\s+and\s+/i.exec(where.slice(i))!;
      parts.push(where.slice(start, i));
      i += m[0].length - 1;
      start = i + 1;
    }
  }
  parts.push(where.slice(start));
  return parts;
}

export interface Query {
  matches: Predicate;
  descending: boolean;
  bounded: boolean;
}

export function parseJql(jql: string, projects: Set<string>): Query {
  const m = /^(.*?)(?:\border\s+by\s+(.+))?$/is.exec(jql.trim())!;
  const where = (m[1] ?? '').trim();
  const order = (m[2] ?? 'id ASC').trim();
  if (!/^(id|key)(\s+(asc|desc))?$/i.test(order)) throw new JqlError(`Not able to sort using field '${order.split(/\s/)[0]}'.`);
  if (where === '') return { matches: () => true, descending: /desc/i.test(order), bounded: false };
  const preds = splitAnd(where).map((c) => clause(c, projects));
  return { matches: (i, now) => preds.every((p) => p(i, now)), descending: /desc/i.test(order), bounded: true };
}
