/**
 * GitHub issue events → HistoryEntry (issue 12). Pure: the events are read by events.ts.
 * Event types and fields per https://docs.github.com/rest/using-the-webhooks/issue-event-types:
 * closed/reopened → status, labeled/unlabeled → labels (`label.name`), assigned/unassigned →
 * assignee (`assignee.login`), milestoned/demilestoned → milestone (`milestone.title`), renamed →
 * title (`rename.from/to`). Events that change no field (mentioned, subscribed, referenced,
 * cross-referenced, locked, pinned…) are not history. The REST description documents no payload for
 * issue_type_added/changed/removed (GraphQL has them), so they are left out rather than guessed.
 */
import type { Person } from '../connector.js';
import type { HistoryEntry } from '../item-depth.js';
import type { RawUser } from './normalize.js';

/** The fields of an event that history needs: what events.ts keeps of each event it reads. */
export interface RawEvent {
  id: number;
  event: string;
  created_at: string | null;
  actor: RawUser | null;
  label?: { name?: string | null } | null;
  assignee?: RawUser | null;
  milestone?: { title?: string | null } | null;
  rename?: { from?: string | null; to?: string | null } | null;
  state_reason?: string | null;
}

/** What pages() carries per issue: its events, and whether they are all of them. */
export interface IssueHistory {
  events: RawEvent[];
  /** null when the read reached the end of the issue's events; else what is missing and why */
  partial: string | null;
}

const FIELD_EVENTS = new Set(['closed', 'reopened', 'labeled', 'unlabeled', 'assigned', 'unassigned', 'milestoned', 'demilestoned', 'renamed']);

/** Keeps only what history needs of a raw event (bulk reads hold many), or null for events that change no field. */
export function compactEvent(e: Record<string, unknown>): RawEvent | null {
  const event = typeof e['event'] === 'string' ? e['event'] : '';
  if (!FIELD_EVENTS.has(event) || typeof e['id'] !== 'number') return null;
  const user = (u: unknown): RawUser | null => {
    const o = u as Partial<RawUser> | null | undefined;
    return o && typeof o.id === 'number' ? { id: o.id, login: String(o.login ?? ''), ...(typeof o.email === 'string' ? { email: o.email } : {}) } : null;
  };
  const out: RawEvent = { id: e['id'], event, created_at: typeof e['created_at'] === 'string' ? e['created_at'] : null, actor: user(e['actor']) };
  const label = e['label'] as { name?: unknown } | null | undefined;
  if (label) out.label = { name: typeof label.name === 'string' ? label.name : null };
  if (e['assignee']) out.assignee = user(e['assignee']);
  const milestone = e['milestone'] as { title?: unknown } | null | undefined;
  if (milestone) out.milestone = { title: typeof milestone.title === 'string' ? milestone.title : null };
  const rename = e['rename'] as { from?: unknown; to?: unknown } | null | undefined;
  if (rename) out.rename = { from: typeof rename.from === 'string' ? rename.from : null, to: typeof rename.to === 'string' ? rename.to : null };
  if (typeof e['state_reason'] === 'string') out.state_reason = e['state_reason'];
  return out;
}

export function githubPerson(user: RawUser | null | undefined): Person | null {
  if (!user || user.id === undefined || user.id === null) return null;
  // GitHub shows `email` on a user object only when its owner made a verified address public.
  const email = typeof user.email === 'string' && user.email.includes('@') ? user.email : null;
  return { external_id: String(user.id), name: user.login ?? null, email, ...(email ? { email_verified: true } : {}) };
}

function closedAs(reason: string | null | undefined): string {
  return reason && reason !== 'completed' && reason !== 'reopened' ? `closed (${reason})` : 'closed';
}

function entry(e: RawEvent): HistoryEntry | null {
  const base = { at: isoOrNull(e.created_at), actor: githubPerson(e.actor) };
  switch (e.event) {
    case 'closed':
      return { ...base, field: 'status', from: 'open', to: closedAs(e.state_reason) };
    case 'reopened':
      return { ...base, field: 'status', from: 'closed', to: 'open' };
    case 'labeled':
      return { ...base, field: 'labels', from: null, to: e.label?.name ?? null };
    case 'unlabeled':
      return { ...base, field: 'labels', from: e.label?.name ?? null, to: null };
    case 'assigned':
      return { ...base, field: 'assignee', from: null, to: e.assignee?.login ?? null };
    case 'unassigned':
      return { ...base, field: 'assignee', from: e.assignee?.login ?? null, to: null };
    case 'milestoned':
      return { ...base, field: 'milestone', from: null, to: e.milestone?.title ?? null };
    case 'demilestoned':
      return { ...base, field: 'milestone', from: e.milestone?.title ?? null, to: null };
    case 'renamed':
      return { ...base, field: 'title', from: e.rename?.from ?? null, to: e.rename?.to ?? null };
    default:
      return null;
  }
}

function isoOrNull(v: string | null): string | null {
  const t = v === null ? NaN : Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Oldest first by time, then by event id (ids grow with time), so a bulk and a per-issue read give the same list. */
export function historyOf(events: RawEvent[]): HistoryEntry[] {
  const sorted = [...events].sort((a, b) => (Date.parse(a.created_at ?? '') || 0) - (Date.parse(b.created_at ?? '') || 0) || a.id - b.id);
  const out: HistoryEntry[] = [];
  const seen = new Set<number>();
  for (const e of sorted) {
    if (seen.has(e.id)) continue; // an event seen twice (a list shifting under the walk) counts once
    seen.add(e.id);
    const h = entry(e);
    if (h) out.push(h);
  }
  return out;
}
