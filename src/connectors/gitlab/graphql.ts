/**
 * Issues with their notes in bulk over GitLab's GraphQL API (POST /api/graphql,
 * docs.gitlab.com/api/graphql): one request brings a page of issues (up to 100) each with its
 * first notes, where REST needs one notes request per issue with comments. An issue whose notes
 * go past the inline page has all of them read over REST (notes.ts), so nothing is capped.
 *
 * Limits (docs.gitlab.com/api/graphql/#limits): at most 100 nodes per connection and a query
 * complexity of 250 for an authenticated request. As GitLab scores it (app/graphql/types/
 * base_field.rb) the query below is about 137 at 100 issues × 100 notes, since each connection
 * adds only 1 % of its own score per item; should a server score it higher (or time out on it),
 * the notes and then the issue page are halved and the page asked again.
 *
 * The records are shaped as the REST list's (types.ts), so the normalizer and everything after it
 * see the same issue either way; `raw` holds only the fields GraphQL was asked for.
 */
import { SourceError } from '../../errors.js';
import type { SourceHttp } from '../../outbound/types.js';
import type { Fetched, Listing } from '../kit/walker.js';
import { fetchNotes } from './notes.js';
import type { GitLabIssue, GitLabNote, GitLabRecord, GitLabUser } from './types.js';

/** Why GraphQL is not used for this job (the server has none, refuses the query, or the project is not visible to it). */
export class GraphQLRefused extends Error {}

export interface GraphQLContext {
  http: SourceHttp;
  graphqlUrl: string;
  projectUrl: string;
  instanceOrigin: string;
  fullPath: string;
  state: 'opened' | 'closed' | null;
  since: Date | null;
  issuesPerPage: number;
  notesPerIssue: number;
}

/** Answers that say "no GraphQL here" rather than "try again": the route is missing or the method refused. */
const NO_GRAPHQL = [400, 404, 405, 406, 410, 415, 422, 501];
const MIN_ISSUES = 10;
const MIN_NOTES = 5;

const USER = 'id username name publicEmail';
/**
 * Fields GitLab Premium adds to Issue (weight, iteration, health status): present in the schema of
 * gitlab.com and EE servers, absent from a Community Edition server's, where asking for them fails
 * the whole query; such a server is asked again without them, once per job.
 */
const EE_FIELDS = 'weight healthStatus iteration { title startDate dueDate }';
const EE_MISSING = /doesn't exist on type 'Issue'/;

const query = (ee: boolean): string => `query($fullPath: ID!, $first: Int!, $after: String, $state: IssuableState, $updatedAfter: Time, $notes: Int!) {
  project(fullPath: $fullPath) {
    issues(first: $first, after: $after, sort: CREATED_ASC, state: $state, updatedAfter: $updatedAfter) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id iid title description state createdAt updatedAt closedAt webUrl type severity userNotesCount
        dueDate timeEstimate totalTimeSpent milestone { title dueDate } ${ee ? EE_FIELDS : ''}
        labels(first: 100) { pageInfo { hasNextPage } nodes { title } }
        assignees(first: 100) { nodes { ${USER} } }
        author { ${USER} }
        notes(first: $notes) { pageInfo { hasNextPage } nodes { id body system internal createdAt author { ${USER} } } }
      }
    }
  }
}`;

interface GqlUser { id: string; username: string; name: string | null; publicEmail: string | null }
interface GqlNote { id: string; body: string | null; system: boolean; internal: boolean | null; createdAt: string | null; author: GqlUser | null }
interface GqlIssue {
  id: string; iid: string; title: string; description: string | null; state: string;
  createdAt: string | null; updatedAt: string | null; closedAt: string | null; webUrl: string;
  type: string | null; severity: string | null; userNotesCount: number;
  dueDate?: string | null; timeEstimate?: number | null; totalTimeSpent?: number | null;
  milestone?: { title: string; dueDate: string | null } | null;
  weight?: number | null; healthStatus?: string | null;
  iteration?: { title: string | null; startDate: string | null; dueDate: string | null } | null;
  labels: { pageInfo: { hasNextPage: boolean }; nodes: { title: string }[] };
  assignees: { nodes: GqlUser[] };
  author: GqlUser | null;
  notes: { pageInfo: { hasNextPage: boolean }; nodes: GqlNote[] };
}
interface GqlAnswer {
  data?: { project: { issues: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: GqlIssue[] } } | null };
  errors?: { message?: string }[];
}

/** The issue list as a kit Listing whose cursor is GraphQL's `after` ('' for the first page). */
export function graphqlListing(gc: GraphQLContext, signal: AbortSignal): Listing<string, GitLabRecord> {
  const size = { issues: gc.issuesPerPage, notes: gc.notesPerIssue, ee: true };
  return {
    what: `GitLab issues of ${gc.fullPath} (GraphQL)`,
    cursorName: 'GraphQL cursor',
    cursorKey: (after) => after,
    recordKey: (issue) => String(issue.id),
    fetch: async (after, pageSignal): Promise<Fetched<string, GitLabRecord>> => {
      const page = await fetchPage(gc, size, after, pageSignal);
      const records = await Promise.all(page.nodes.map((node) => toRecord(gc, node, signal)));
      return { records, next: page.pageInfo.hasNextPage && page.pageInfo.endCursor ? page.pageInfo.endCursor : null };
    },
  };
}

async function fetchPage(gc: GraphQLContext, size: { issues: number; notes: number; ee: boolean }, after: string, signal: AbortSignal) {
  for (;;) {
    const variables = {
      fullPath: gc.fullPath, first: size.issues, after: after || null, notes: size.notes,
      state: gc.state, updatedAfter: gc.since ? gc.since.toISOString() : null,
    };
    const res = await gc.http.post<GqlAnswer>(gc.graphqlUrl, { query: query(size.ee), variables }, { signal, allowStatus: NO_GRAPHQL });
    if (NO_GRAPHQL.includes(res.status)) throw new GraphQLRefused(`POST /api/graphql answered HTTP ${res.status}`);
    const errors = Array.isArray(res.body?.errors) ? res.body.errors : [];
    if (errors.length > 0) {
      const message = String(errors[0]?.message ?? 'an error without a message').slice(0, 300);
      if (size.ee && EE_MISSING.test(message)) {
        size.ee = false;
        continue;
      }
      // A query too costly for this server: ask for less, notes first (they weigh most).
      if (/complexity|timed? ?out/i.test(message) && (size.notes > MIN_NOTES || size.issues > MIN_ISSUES)) {
        if (size.notes > MIN_NOTES) size.notes = Math.max(MIN_NOTES, Math.floor(size.notes / 2));
        else size.issues = Math.max(MIN_ISSUES, Math.floor(size.issues / 2));
        continue;
      }
      throw new GraphQLRefused(`GraphQL answered: ${message}`);
    }
    const project = res.body?.data?.project;
    if (project === null) throw new GraphQLRefused(`project ${gc.fullPath} is not visible to GraphQL`);
    const issues = project?.issues;
    if (!issues || !Array.isArray(issues.nodes) || typeof issues.pageInfo?.hasNextPage !== 'boolean') {
      throw new GraphQLRefused('GraphQL answered without the issue page asked for');
    }
    return issues;
  }
}

/** A GraphQL issue in the REST list's shape; notes attached as the REST path does (none when it has no comments). */
async function toRecord(gc: GraphQLContext, n: GqlIssue, signal: AbortSignal): Promise<GitLabRecord> {
  const iid = Number(n.iid);
  const assignees = (n.assignees?.nodes ?? []).map(user);
  let labels: GitLabIssue['labels'] = (n.labels?.nodes ?? []).map((l) => l.title);
  if (n.labels?.pageInfo?.hasNextPage) {
    // over 100 labels: the REST issue carries them all
    const res = await gc.http.get<GitLabIssue>(`${gc.projectUrl}/issues/${iid}`, { signal, allowStatus: [404] });
    if (res.status === 200 && Array.isArray(res.body?.labels)) labels = res.body.labels;
  }
  const issue: GitLabIssue = {
    id: globalIdNumber(n.id, 'Issue'),
    iid,
    title: n.title,
    description: n.description,
    state: n.state,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    closed_at: n.closedAt,
    labels,
    assignees,
    assignee: assignees[0] ?? null,
    author: n.author ? user(n.author) : null,
    web_url: n.webUrl,
    user_notes_count: n.userNotesCount,
    issue_type: n.type ? n.type.toLowerCase() : null,
    severity: n.severity,
    // as REST names them, so custom fields come out the same either way
    due_date: n.dueDate ?? null,
    milestone: n.milestone ? { title: n.milestone.title, due_date: n.milestone.dueDate } : null,
    time_stats: { time_estimate: n.timeEstimate ?? 0, total_time_spent: n.totalTimeSpent ?? 0 },
    ...(n.weight !== undefined ? { weight: n.weight } : {}),
    ...(n.iteration !== undefined ? { iteration: n.iteration && { title: n.iteration.title, start_date: n.iteration.startDate, due_date: n.iteration.dueDate } } : {}),
    ...(n.healthStatus !== undefined ? { health_status: n.healthStatus && snake(n.healthStatus) } : {}),
  };
  // As the REST path: an issue without comments carries no notes (its system notes are not worth a request there).
  if (n.userNotesCount === 0) return issue;
  if (!n.notes?.pageInfo?.hasNextPage) return { ...issue, notes: (n.notes?.nodes ?? []).map(note) };
  const all = await fetchNotes({ http: gc.http, projectUrl: gc.projectUrl, instanceOrigin: gc.instanceOrigin, signal }, iid);
  return all === null ? issue : { ...issue, notes: all };
}

function user(u: GqlUser): GitLabUser {
  return { id: globalIdNumber(u.id, 'User'), username: u.username, name: u.name, ...(u.publicEmail ? { email: u.publicEmail } : {}) };
}

function note(n: GqlNote): GitLabNote {
  return {
    id: globalIdNumber(n.id, 'Note'),
    body: n.body,
    author: n.author ? user(n.author) : null,
    created_at: n.createdAt,
    system: n.system === true,
    internal: n.internal === true,
  };
}

/** `gid://gitlab/Issue/123` → 123, the id REST uses. Notes may be DiscussionNote etc., hence the loose class. */
function globalIdNumber(id: string, what: string): number {
  const m = typeof id === 'string' ? /^gid:\/\/gitlab\/[A-Za-z:]+\/(\d+)$/.exec(id) : null;
  if (!m) throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab GraphQL answered a ${what} whose id is not a Global ID`);
  return Number(m[1]);
}

/** GraphQL's HealthStatus enum (onTrack) as REST spells it (on_track). */
const snake = (v: string): string => v.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
