/**
 * An issue's history from GitLab's resource events (docs.gitlab.com/api/resource_state_events,
 * /resource_label_events, /resource_milestone_events): state changes, labels added and removed,
 * milestones set and cleared. GitLab keeps these apart from notes (a label change is no system
 * note since 11.3) and has no project-wide listing, so this is three requests per issue (more past
 * 100 events of a kind). Weight and iteration events are GitLab Premium and not read.
 * Every list is read to its end (issue-list.ts follows the paging headers), so a list read is complete.
 */
import { collectIssueList } from './issue-list.js';
import type { NotesContext } from './notes.js';
import type { GitLabEvents, GitLabRecord, GitLabResourceEvent } from './types.js';

const KINDS = ['state', 'label', 'milestone'] as const;

/** Attaches the events of every issue of a page (`events` stays absent for an issue gone since it was listed). */
export async function withEvents(nc: NotesContext, records: GitLabRecord[]): Promise<GitLabRecord[]> {
  return Promise.all(
    records.map(async (record) => {
      const events = await fetchEvents(nc, record.iid);
      return events === null ? record : { ...record, events };
    }),
  );
}

/** All three event lists of one issue; null when the issue answers 404 (deleted or moved since it was listed). */
export async function fetchEvents(nc: NotesContext, iid: number): Promise<GitLabEvents | null> {
  const lists = await Promise.all(KINDS.map((kind) => fetchKind(nc, iid, kind)));
  if (lists.some((l) => l === null)) return null;
  const [state, label, milestone] = lists as GitLabResourceEvent[][];
  return { state: state!, label: label!, milestone: milestone! };
}

function fetchKind(nc: NotesContext, iid: number, kind: (typeof KINDS)[number]): Promise<GitLabResourceEvent[] | null> {
  const first = `${nc.projectUrl}/issues/${encodeURIComponent(String(iid))}/resource_${kind}_events?per_page=100`;
  return collectIssueList<GitLabResourceEvent>(nc, first, `${kind} events of issue #${iid}`);
}
