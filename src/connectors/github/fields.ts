/**
 * GitHub custom fields (issue 12), from the issue object of the REST API (2022-11-28):
 * - `type` (organization issue types): id 'type', "Issue type", an option;
 * - `milestone`: id 'milestone', "Milestone" (its title, an option), and id 'milestone_due_on',
 *   "Milestone due date" (`due_on`, a date-time) when the milestone has one.
 * GitHub's newer organization "issue fields" are not in the 2022-11-28 REST description this
 * connector follows (they appear under a later API version, with names only in the organization's
 * field list), so none are read.
 */
import type { CustomField } from '../item-depth.js';
import type { RawIssue } from './normalize.js';

/** options.field_map defaults: a milestone stands for a sprint, its due date for the item's. */
export const GITHUB_DEFAULT_FIELD_MAP = { due_date: 'milestone_due_on', sprint: 'milestone' } as const;

export function githubCustomFields(issue: RawIssue): CustomField[] {
  const out: CustomField[] = [];
  const type = issue.type?.name;
  if (typeof type === 'string' && type !== '') out.push({ id: 'type', name: 'Issue type', type: 'option', value: type });
  const milestone = issue.milestone;
  if (milestone && typeof milestone.title === 'string') {
    out.push({ id: 'milestone', name: 'Milestone', type: 'option', value: milestone.title });
    const due = typeof milestone.due_on === 'string' ? Date.parse(milestone.due_on) : NaN;
    if (!Number.isNaN(due)) out.push({ id: 'milestone_due_on', name: 'Milestone due date', type: 'datetime', value: new Date(due).toISOString() });
  }
  return out;
}
