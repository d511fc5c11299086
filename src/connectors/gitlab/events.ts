/**
 * An issue's history from GitLab's resource events (docs.gitlab.com/api/resource_state_events,
 * /resource_label_events, /resource_milestone_events): state changes, labels added and removed,
 * milestones set and cleared. GitLab keeps these apart from notes (a label change is no system
 * note since 11.3) and has no project-wide listing, so this is three requests per issue (more past
 * 100 events of a kind). Weight and iteration events are GitLab Premium and not read.
 * Every list is read to its end (collectPages follows the paging headers), so a list read is complete.
 */
import { SourceError } from '../../errors.js';
import { collectPages, type Listing } from '../kit/walker.js';
import { nextPageUrl } from './links.js';
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

async function fetchKind(nc: NotesContext, iid: number, kind: (typeof KINDS)[number]): Promise<GitLabResourceEvent[] | null> {
  let gone = false;
  const listing: Listing<string, GitLabResourceEvent> = {
    what: `GitLab ${kind} events of issue #${iid}`,
    cursorName: 'next link',
    cursorKey: (url) => url,
    recordKey: (event) => String(event.id),
    fetch: async (url, signal) => {
      const res = await nc.http.get<GitLabResourceEvent[]>(url, { signal, allowStatus: [404] });
      if (res.status === 404) {
        gone = true;
        return { records: [], next: null };
      }
      if (!Array.isArray(res.body)) {
        throw new SourceError('SOURCE_RESPONSE_INVALID', `GitLab answered the ${kind} events of issue #${iid} with something other than an array`, res.status);
      }
      return { records: res.body, next: res.body.length > 0 ? nextPageUrl(res, nc.instanceOrigin) : null };
    },
  };
  const first = `${nc.projectUrl}/issues/${encodeURIComponent(String(iid))}/resource_${kind}_events?per_page=100`;
  const events = await collectPages(listing, first, nc.signal);
  return gone ? null : events;
}
