/**
 * Encoded-query building for keyset paging.
 *
 * Rows are read in the order (sys_created_on, sys_id): both immutable, so a record edited
 * during the import never moves (no skip, no repeat) and a record inserted during it sorts
 * after everything already read (it is picked up at the end). "After key (c, id)" is
 * `sys_created_on>c ^NQ sys_created_on=c^sys_id>=id^sys_id!=id`. ^NQ is a top-level OR of
 * whole condition groups, so every group of the user's query is repeated in each branch;
 * the user's own ORDERBY/GROUPBY/EQ terms are dropped because the import needs this order.
 * Operators (ServiceNowDocs `platform-user-interface/r_OpAvailableFiltersQueries.md`): strict
 * `>` is listed for date-time and numeric fields only; string fields get `>=`/`<=`, so "sys_id
 * after id" is spelled `>=` plus `!=`. An instance ignores a query part it cannot use, and an
 * ignored keyset term would silently repeat or skip rows.
 */
export type Key = readonly [createdOn: string, sysId: string];

export const ORDER = 'ORDERBYsys_created_on^ORDERBYsys_id';

/** The user's encoded query split into its ^NQ groups, ordering terms removed. */
export function queryGroups(query: string | undefined): string[] {
  if (!query || query.trim() === '') return [''];
  const groups = query.split('^NQ').map((group) =>
    group
      .split('^')
      .filter((term) => term !== '' && term !== 'EQ' && !/^(ORDERBY|GROUPBY)/.test(term))
      .join('^'),
  );
  const kept = groups.filter((g) => g !== '');
  return kept.length > 0 ? kept : [''];
}

function and(...terms: string[]): string {
  return terms.filter((t) => t !== '').join('^');
}

/** groups × (extra conditions) × (keyset branches), without an order. */
export function conditions(groups: readonly string[], extra: readonly string[], after: Key | null = null): string {
  const branches = after
    ? [`sys_created_on>${after[0]}`, `sys_created_on=${after[0]}^sys_id>=${after[1]}^sys_id!=${after[1]}`]
    : [''];
  const parts: string[] = [];
  for (const group of groups) {
    for (const branch of branches) parts.push(and(group, ...extra, branch));
  }
  return parts.filter((p) => p !== '').join('^NQ');
}

export function buildQuery(groups: readonly string[], extra: readonly string[], after: Key | null): string {
  return and(conditions(groups, extra, after), ORDER);
}
