/**
 * The JQL this connector sends. Every search is `<scope> [AND <since>] [AND id > N] ORDER BY id ASC`:
 *
 * - A user's own ORDER BY is replaced: the import order is invisible to the user, while a stable
 *   total order is what makes a resumed page, the `id > N` keyset fallback and Data Center's
 *   keyset paging correct. Their condition is kept verbatim inside parentheses so an OR in it
 *   cannot swallow the clauses we add.
 * - `since` becomes a relative period (`updated >= "-90m"`). JQL reads absolute dates in the
 *   searching user's profile time zone, which we do not know; a period counts back from the
 *   server's "now" and needs no zone. Rounded up to whole minutes (JQL's precision), so it only
 *   ever widens the window. The period is recomputed from the job's fixed `since` for every search:
 *   a period frozen at the first page would shrink the window by however long the import has run
 *   (Data Center searches afresh for every page; a resumed Cloud job whose token is refused too),
 *   silently skipping issues changed early in the window.
 */

/** Splits `cond ORDER BY x` at the first ORDER BY outside quoted strings. */
export function splitOrderBy(jql: string): { where: string; orderBy: string | null } {
  let quote: string | null = null;
  for (let i = 0; i < jql.length; i++) {
    const c = jql[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if ((c === 'o' || c === 'O') && (i === 0 || /\s|\)/.test(jql[i - 1] ?? ''))) {
      const m = /^order\s+by\b/i.exec(jql.slice(i, i + 64));
      if (m) return { where: jql.slice(0, i).trim(), orderBy: jql.slice(i).trim() };
    }
  }
  return { where: jql.trim(), orderBy: null };
}

export function scopeClause(scope: { project_key?: string | undefined; jql?: string | undefined }): string {
  if (scope.project_key !== undefined) return `project = "${scope.project_key}"`;
  return `(${splitOrderBy(scope.jql ?? '').where})`;
}

export function sinceClause(since: Date, now = Date.now()): string {
  const minutes = Math.max(1, Math.ceil((now - since.getTime()) / 60_000));
  return `updated >= "-${minutes}m"`;
}

/** Scope plus the optional incremental bound, as of `now`. */
export function baseJql(scope: string, since: Date | null, now = Date.now()): string {
  return since === null ? scope : `${scope} AND ${sinceClause(since, now)}`;
}

/** A search as of now: scope, incremental bound, optionally after an issue id (keyset), in id order. */
export function searchJql(scope: string, since: Date | null, afterId: string | null, now = Date.now()): string {
  const after = afterId === null ? '' : ` AND id > ${afterId}`;
  return `${baseJql(scope, since, now)}${after} ORDER BY id ASC`;
}
