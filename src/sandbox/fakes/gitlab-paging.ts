/**
 * Paging of the GitLab fake, as https://docs.gitlab.com/api/rest/#pagination documents it.
 *
 * Offset: `page`/`per_page` (default 20, max 100) answered with `link` (rel prev, next, first,
 * last in that order, `, `-separated, query keys sorted as Rails' to_query does), `x-next-page`,
 * `x-page`, `x-per-page`, `x-prev-page` (empty when there is none), `x-total`, `x-total-pages`.
 * Above `totalsThreshold` matching records, x-total, x-total-pages and rel="last" are left out.
 *
 * Keyset: `pagination=keyset` with `order_by` and `sort`; the only signal is
 * `Link: <…&cursor=…>; rel="next"` (`id_after=` when ordering by id, like /projects), sent while
 * a page is full; past the end the array is empty and the header absent.
 */
export interface PageReply {
  items: unknown[];
  headers: Record<string, string>;
}

interface Sortable {
  id: number;
  [k: string]: unknown;
}

export function perPageOf(q: URLSearchParams): number {
  const n = Number(q.get('per_page') ?? 20);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 100) : 20;
}

export function sortRecords<T extends Sortable>(rows: T[], orderBy: string, sort: string): T[] {
  const dir = sort === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const ka = String(a[orderBy] ?? '');
    const kb = String(b[orderBy] ?? '');
    if (orderBy !== 'id' && ka !== kb) return (ka < kb ? -1 : 1) * dir;
    return (a.id - b.id) * dir;
  });
}

export function offsetPage(rows: unknown[], url: URL, totalsThreshold: number): PageReply {
  const q = url.searchParams;
  const perPage = perPageOf(q);
  const pageParam = Number(q.get('page') ?? 1);
  const page = Number.isInteger(pageParam) && pageParam >= 1 ? pageParam : 1;
  const total = rows.length;
  const withTotals = total <= totalsThreshold;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const items = rows.slice((page - 1) * perPage, page * perPage);
  const next = page * perPage < total ? page + 1 : null;
  const prev = page > 1 ? page - 1 : null;
  const href = (p: number) => `<${pageHref(url, { page: String(p), per_page: String(perPage) })}>`;
  const links = [
    ...(prev ? [`${href(prev)}; rel="prev"`] : []),
    ...(next ? [`${href(next)}; rel="next"`] : []),
    `${href(1)}; rel="first"`,
    ...(withTotals ? [`${href(totalPages)}; rel="last"`] : []),
  ];
  const headers: Record<string, string> = {
    link: links.join(', '),
    'x-next-page': next ? String(next) : '',
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-prev-page': prev ? String(prev) : '',
  };
  if (withTotals) {
    headers['x-total'] = String(total);
    headers['x-total-pages'] = String(totalPages);
  }
  return { items, headers };
}

/** Rows must already be in (order_by, id) order; the cursor names the last row returned. */
export function keysetPage(rows: Sortable[], url: URL, orderBy: string, sort: string): PageReply {
  const q = url.searchParams;
  const perPage = perPageOf(q);
  let start = 0;
  const after = q.get('cursor') ? decodeCursor(q.get('cursor')!) : q.get('id_after') ? { id: Number(q.get('id_after')) } : null;
  if (after) {
    const dir = sort === 'asc' ? 1 : -1;
    start = rows.findIndex((r) => {
      const k = String(r[orderBy] ?? '');
      const ak = String(after[orderBy] ?? '');
      if (orderBy !== 'id' && k !== ak) return (k > ak ? 1 : -1) * dir > 0;
      return (r.id - Number(after.id)) * dir > 0;
    });
    if (start < 0) start = rows.length;
  }
  const items = rows.slice(start, start + perPage);
  const last = items[items.length - 1];
  if (items.length < perPage || !last) return { items, headers: {} };
  const nextParam: Record<string, string> =
    orderBy === 'id'
      ? { id_after: String(last.id) }
      : { cursor: encodeCursor({ [orderBy]: last[orderBy], id: String(last.id), _kd: 'n' }) };
  const drop = orderBy === 'id' ? 'cursor' : 'id_after';
  return { items, headers: { link: `<${pageHref(url, nextParam, drop)}>; rel="next"` } };
}

function pageHref(url: URL, set: Record<string, string>, drop?: string): string {
  const params = new Map<string, string>();
  for (const [k, v] of url.searchParams) if (k !== drop) params.set(k, v);
  for (const [k, v] of Object.entries(set)) params.set(k, v);
  const query = [...params.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${url.origin}${url.pathname}?${query}`;
}

function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
