/**
 * The parts of GitLab REST v4 shapes this connector reads (docs.gitlab.com/api/issues,
 * docs.gitlab.com/api/notes). Everything else in a record is passed through to `raw` untouched.
 */
export interface GitLabUser {
  id: number;
  username?: string;
  name?: string | null;
  email?: string | null;
}

export interface GitLabNote {
  id: number;
  body: string | null;
  author: GitLabUser | null;
  created_at: string | null;
  system: boolean;
  internal?: boolean;
  confidential?: boolean;
}

export interface GitLabIssue {
  id: number;
  iid: number;
  title: string;
  description: string | null;
  state: string;
  labels: (string | { name: string })[];
  assignees?: GitLabUser[];
  assignee?: GitLabUser | null;
  author: GitLabUser | null;
  web_url?: string;
  created_at: string | null;
  updated_at: string | null;
  closed_at: string | null;
  user_notes_count?: number;
  issue_type?: string | null;
  type?: string | null;
  severity?: string | null;
  [field: string]: unknown;
}

/** One resource event (state, label or milestone); the fields of the three kinds together. */
export interface GitLabResourceEvent {
  id: number;
  user: GitLabUser | null;
  created_at: string | null;
  /** state events: 'opened' | 'closed' | 'reopened' */
  state?: string;
  /** label and milestone events */
  action?: 'add' | 'remove' | string;
  label?: { id: number; name: string } | null;
  milestone?: { id: number; title: string } | null;
}

export interface GitLabEvents {
  state: GitLabResourceEvent[];
  label: GitLabResourceEvent[];
  milestone: GitLabResourceEvent[];
}

/**
 * One record of a SourcePage: the issue as received plus, when fetched, all its notes oldest
 * first. `notes` is absent when they were not fetched (comments off, or no user notes).
 */
export type GitLabRecord = GitLabIssue & {
  notes?: GitLabNote[];
  /** the issue's resource events, when history was read */
  events?: GitLabEvents;
  /** what the pager read for this record (kept out of `raw`): lets the normalizer tell "none" from "not read" */
  read?: { comments: boolean; history: boolean };
};
