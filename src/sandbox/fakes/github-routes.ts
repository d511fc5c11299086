/**
 * The read endpoints of the GitHub fake and their paging (see github.ts for the doc citations).
 * Lists page by `page`/`per_page` (default 30, max 100) and answer with a Link header exactly as
 * GitHub formats it [G2]: `<url>; rel="prev", <url>; rel="next", <url>; rel="last", <url>; rel="first"`,
 * entries joined by ", ", URLs in the numeric /repositories/{id}/… form carrying the request's other
 * parameters, prev/first absent on page 1, next/last absent on the last page, no header at all when
 * there is only one page.
 */
import type { Json, RepoData } from './github-data.js';
import { EVENT_PAGES_CAP, PAGINATION_LIMITED, withIssue } from './github-events.js';

export interface RouteReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The rate-limit resource the request counts against. */
  resource?: 'core' | 'search';
}

export const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

const time = (v: unknown) => Date.parse(String(v));

/** @param cap deepest page served: past it 422, and rel="last" names it (github-events.ts [E4]) */
function paged(items: Json[], url: URL, linkBase: string, cap = Infinity, shape: (item: Json) => Json = (i) => i): RouteReply {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  if (page > cap) return { status: 422, body: PAGINATION_LIMITED };
  const last = Math.min(cap, Math.max(1, Math.ceil(items.length / perPage)));
  const body = items.slice((page - 1) * perPage, page * perPage).map(shape);
  if (last === 1 && page === 1) return { status: 200, body };
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(url.searchParams);
    q.delete('page');
    q.append('page', String(p));
    return `<${linkBase}?${q.toString()}>; rel="${rel}"`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) rels.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) rels.push(link(1, 'first'));
  return { status: 200, body, headers: { link: rels.join(', ') } };
}

function sinceFilter(items: Json[], url: URL): Json[] {
  const since = url.searchParams.get('since');
  if (since === null) return items;
  const t = Date.parse(since);
  return items.filter((i) => time(i['updated_at']) >= t);
}

function ordered(items: Json[], sort: string, direction: string): Json[] {
  const key = (i: Json) => (sort === 'comments' ? Number(i['comments']) : time(i[`${sort}_at`]));
  const sign = direction === 'asc' ? 1 : -1;
  // Keys computed once: the fake shares the event loop with the client in benchmarks.
  const keyed = items.map((item) => ({ item, k: key(item), id: Number(item['id']) }));
  keyed.sort((a, b) => sign * (a.k - b.k) || sign * (a.id - b.id));
  return keyed.map((x) => x.item);
}

/** GET /repos/{o}/{r}/issues: state default open, sort default created, direction default desc [G1]. */
function listIssues(data: RepoData, url: URL, linkBase: string): RouteReply {
  const state = url.searchParams.get('state') ?? 'open';
  const items = sinceFilter(data.issues, url).filter((i) => state === 'all' || i['state'] === state);
  const sorted = ordered(items, url.searchParams.get('sort') ?? 'created', url.searchParams.get('direction') ?? 'desc');
  return paged(sorted, url, `${linkBase}/issues`);
}

/** GET /repos/{o}/{r}/issues/comments: ascending id unless `sort` is given; `direction` only with `sort` [G1]. */
function listRepoComments(data: RepoData, url: URL, linkBase: string): RouteReply {
  const sort = url.searchParams.get('sort');
  const items = sinceFilter(data.comments, url);
  const sorted = sort ? ordered(items, sort, url.searchParams.get('direction') ?? 'desc') : items;
  return paged(sorted, url, `${linkBase}/issues/comments`);
}

/** Search answers 422 for a repository that is missing or not visible to the caller. */
const SEARCH_INVALID = {
  message: 'Validation Failed',
  errors: [{ message: 'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.', resource: 'Search', field: 'q', code: 'invalid' }],
  documentation_url: 'https://docs.github.com/v3/search/',
  status: '422',
};

/**
 * A query naming neither kind is refused: the search.json description says so for GitHub App user
 * tokens ("you must send separate queries for issues and pull requests"), and since 2025 github.com
 * answers every such query this way (github/github-mcp-server#462, DataDog/ddqa#116 quote the body).
 */
const KIND_REQUIRED = {
  message: "Query must include 'is:issue' or 'is:pull-request'",
  documentation_url: 'https://docs.github.com/rest/search/search#search-issues-and-pull-requests',
  status: '422',
};

function search(data: RepoData, url: URL, canSee: boolean): RouteReply {
  const q = url.searchParams.get('q') ?? '';
  const repo = /repo:(\S+)/.exec(q)?.[1]?.toLowerCase();
  const mine = `${data.o.owner}/${data.o.repo}`.toLowerCase();
  const state = /state:(open|closed)/.exec(q)?.[1];
  const since = /updated:>=(\S+)/.exec(q)?.[1];
  const issues = /\b(?:is|type):issue\b/.test(q);
  const pulls = /\b(?:is:pull-request|is:pr|type:pr)\b/.test(q);
  if (!issues && !pulls) return { status: 422, resource: 'search', body: KIND_REQUIRED };
  if (repo !== mine || !canSee) return { status: 422, resource: 'search', body: SEARCH_INVALID };
  // Both qualifiers together are an AND: nothing is both.
  const matches = data.issues.filter((i) =>
    (issues ? !i['pull_request'] : true) && (pulls ? Boolean(i['pull_request']) : true) &&
    (!state || i['state'] === state) && (!since || time(i['updated_at']) >= Date.parse(since)));
  const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30);
  return { status: 200, resource: 'search', body: { total_count: matches.length, incomplete_results: false, items: matches.slice(0, perPage) } };
}

/** Routes a path (API prefix already removed) to a reply; 404 when the repository is hidden or absent. */
export function route(data: RepoData, path: string, url: URL, canSee: boolean): RouteReply {
  if (path === '/search/issues') return search(data, url, canSee);
  const { owner, repo, repoId, apiBase } = data.o;
  const m = /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))(\/.*)?$/.exec(path);
  const isRepo = m && (m[3] ? Number(m[3]) === repoId : m[1]!.toLowerCase() === owner.toLowerCase() && m[2]!.toLowerCase() === repo.toLowerCase());
  if (!m || !isRepo || !canSee) return { status: 404, body: NOT_FOUND };
  const rest = m[4] ?? '';
  const linkBase = `${apiBase}/repositories/${repoId}`;
  if (rest === '') return { status: 200, body: { id: repoId, name: repo, full_name: `${owner}/${repo}`, private: false, has_issues: true } };
  if (rest === '/issues') return listIssues(data, url, linkBase);
  if (rest === '/issues/comments') return listRepoComments(data, url, linkBase);
  const cap = data.o.eventPagesCap ?? EVENT_PAGES_CAP;
  if (rest === '/issues/events') {
    // newest first, each event with its issue [E1]
    const byNumber = (e: Json) => data.byNumber(data.eventIssue(e))!;
    return paged([...data.events].reverse(), url, `${linkBase}/issues/events`, cap, (e) => withIssue(e, byNumber(e)));
  }
  const one = /^\/issues\/(\d+)(\/comments|\/events)?$/.exec(rest);
  const issue = one ? data.byNumber(Number(one[1])) : undefined;
  if (!one || !issue) return { status: 404, body: NOT_FOUND };
  if (!one[2]) return { status: 200, body: issue };
  if (one[2] === '/events') return paged(data.eventsOf(Number(one[1])), url, `${linkBase}/issues/${one[1]}/events`, cap);
  const own = data.commentsOf(Number(one[1]));
  return paged(sinceFilter(own, url), url, `${linkBase}/issues/${one[1]}/comments`);
}
