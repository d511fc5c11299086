/**
 * Issue events of the GitHub fake (issue 12), from github/docs and github/rest-api-description:
 * - [E1] https://docs.github.com/rest/issues/events#list-issue-events-for-a-repository
 *   (GET /repos/{o}/{r}/issues/events: per_page max 100, each event carries its `issue`; served
 *   newest first, as github.com does)
 * - [E2] https://docs.github.com/rest/issues/events#list-issue-events (GET /repos/{o}/{r}/issues/{n}/events:
 *   the issue's events oldest first, without `issue`)
 * - [E3] https://docs.github.com/rest/using-the-webhooks/issue-event-types (closed/reopened, labeled/unlabeled
 *   with `label`, assigned/unassigned with `assignee`, milestoned/demilestoned with `milestone.title`,
 *   renamed with `rename.from/to`; mentioned, subscribed and referenced carry no field change)
 * - [E4] deep pages: GitHub stops long lists with 422 "In order to keep the API fast for everyone,
 *   pagination is limited for this resource. Check the rel=last link relation in the Link response header
 *   to see how far back you can traverse." — rel="last" then names the deepest page it serves. The REST
 *   description states no number for these lists; GitLab's importer team saw the repository-wide events
 *   end at 300 pages (gitlab-org/gitlab!133084), the default cap here.
 */
import type { Json } from './github-data.js';

export const EVENT_PAGES_CAP = 300;

export const PAGINATION_LIMITED = {
  message: 'In order to keep the API fast for everyone, pagination is limited for this resource. Check the rel=last link relation in the Link response header to see how far back you can traverse.',
  documentation_url: 'https://docs.github.com/v3/#pagination',
  status: '422',
};

export interface EventSource {
  issue: Json;
  users: Json[];
  /** labeled/unlabeled pairs added on top (a long history) */
  extra: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/**
 * The events of one issue, oldest first, consistent with its current state: a label added for each
 * label it has, an assignment per assignee, its milestone, a rename when its title changed, a close
 * (and reopen) matching its state, plus events that change no field (mentioned, subscribed).
 */
export function eventsOf(src: EventSource, nextId: () => number): Json[] {
  const { issue, users } = src;
  const n = issue['number'] as number;
  const created = Date.parse(issue['created_at'] as string);
  const actor = users[n % users.length]!;
  const out: Json[] = [];
  let at = created;
  const push = (event: string, extra: Json = {}) => {
    at += 2_000; // within the 30 s before an open issue's updated_at
    const id = nextId();
    out.push({
      id, node_id: `LE_kwDO${id}`, url: `${String(issue['url']).replace(/\/issues\/\d+$/, '')}/issues/events/${id}`,
      actor, event, commit_id: null, commit_url: null, created_at: iso(at), performed_via_github_app: null, ...extra,
    });
  };
  if (n % 3 === 0) push('subscribed');
  if (n % 5 === 0) push('renamed', { rename: { from: `Draft ${n}`, to: issue['title'] } });
  for (const l of (issue['labels'] as Json[]) ?? []) push('labeled', { label: { name: l['name'], color: l['color'] } });
  if (n % 10 === 3) {
    push('labeled', { label: { name: 'triage', color: 'ededed' } });
    push('unlabeled', { label: { name: 'triage', color: 'ededed' } });
  }
  for (const a of (issue['assignees'] as Json[]) ?? []) push('assigned', { assignee: a, assigner: actor });
  const milestone = issue['milestone'] as Json | null;
  if (milestone) push('milestoned', { milestone: { title: milestone['title'] } });
  if (n % 11 === 0) push('mentioned');
  for (let k = 0; k < src.extra; k++) {
    push('labeled', { label: { name: `bulk-${k}`, color: 'cccccc' } });
    push('unlabeled', { label: { name: `bulk-${k}`, color: 'cccccc' } });
  }
  const reason = issue['state_reason'];
  if (reason === 'reopened') {
    push('closed', { state_reason: 'completed' });
    push('reopened', { state_reason: 'reopened' });
  }
  if (issue['state'] === 'closed') {
    const closedAt = Date.parse(issue['closed_at'] as string);
    at = Math.max(at, closedAt - 2_000);
    push('closed', { state_reason: reason ?? 'completed', actor: issue['closed_by'] ?? actor });
  }
  return out;
}

/** The repository-wide form of an event: the same fields plus the issue it belongs to [E1]. */
export function withIssue(event: Json, issue: Json): Json {
  return { ...event, issue };
}
