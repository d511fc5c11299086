/**
 * The data behind the GitLab fake: one project with issues and notes shaped like the examples
 * of https://docs.gitlab.com/api/issues/ and https://docs.gitlab.com/api/notes/ (global `id`
 * plus project `iid`, `state` opened|closed, `labels` as strings, `user_notes_count`, notes with
 * `system`/`internal`/`confidential`). Mutable, so tests can change issues mid-import.
 * Resource events as https://docs.gitlab.com/api/resource_state_events/, /resource_label_events/
 * and /resource_milestone_events/ show them (`user`, `created_at`, `resource_type` "Issue",
 * `resource_id`, `state` or `action` add|remove with the `label`/`milestone`); uploads linked from
 * Markdown as `/uploads/<32 hex>/<name>` (https://docs.gitlab.com/api/project_markdown_uploads/),
 * their bytes from uploadBytes(). Premium fields (weight, iteration, health_status) as gitlab.com sends them.
 */
import { createHash } from 'node:crypto';
export interface FakeUser {
  id: number;
  username: string;
  name: string;
  state: 'active';
  email?: string;
  web_url: string;
}

export type FakeNote = Record<string, unknown> & { id: number; system: boolean; created_at: string };
export type FakeIssue = Record<string, unknown> & {
  id: number;
  iid: number;
  state: 'opened' | 'closed';
  created_at: string;
  updated_at: string;
  user_notes_count: number;
};

export interface SeedOptions {
  /** user notes (comments) of issue i (1-based); default i % 4 */
  userNotes?: (i: number) => number;
  /** system notes of issue i; default 1 + i % 2 */
  systemNotes?: (i: number) => number;
  /** created_at of issue 1; the next ones follow a minute apart */
  start?: Date;
  /** extra label add/remove pairs on issue i, beyond those its labels, state and milestone make; default 0 */
  labelToggles?: (i: number) => number;
  /** uploads linked from issue i's description; default 1 for every 4th issue */
  uploads?: (i: number) => number;
}

export type FakeEvent = Record<string, unknown> & { id: number; created_at: string };
export interface FakeEvents { state: FakeEvent[]; label: FakeEvent[]; milestone: FakeEvent[] }
export interface FakeUpload { secret: string; filename: string; size: number }

/** The content of an upload: deterministic bytes (not valid UTF-8) of its size. */
export function uploadBytes(u: FakeUpload): Buffer {
  const seed = createHash('sha256').update(`${u.secret}/${u.filename}`).digest();
  const out = Buffer.alloc(u.size);
  for (let i = 0; i < u.size; i++) out[i] = seed[i % seed.length]! ^ (i & 0xff);
  return out;
}

const BASE_TIME = Date.parse('2024-01-01T00:00:00.000Z');

export class GitLabProject {
  readonly issues: FakeIssue[] = [];
  readonly notes = new Map<number, FakeNote[]>();
  readonly events = new Map<number, FakeEvents>();
  /** by `<secret>/<filename>` */
  readonly uploads = new Map<string, FakeUpload>();
  private nextNoteId = 9_000_001;
  private nextEventId = 7_000_001;
  private nextIid = 1;
  private readonly users: FakeUser[];

  constructor(
    readonly id: number,
    readonly path: string,
    readonly webBase = 'https://gitlab.example.com',
  ) {
    this.users = [1, 2, 3, 4, 5].map((n) => ({
      id: n,
      username: `user${n}`,
      name: n === 5 ? '' : `User ${n}`, // a user without a display name: the username must stand in
      state: 'active' as const,
      ...(n % 2 ? { email: `user${n}@example.com` } : {}),
      web_url: `${webBase}/user${n}`,
    }));
  }

  seed(count: number, opts: SeedOptions = {}): this {
    const start = opts.start?.getTime() ?? BASE_TIME;
    for (let n = 0; n < count; n++) {
      const i = this.nextIid++;
      const created = new Date(start + n * 60_000);
      const issue = this.addIssue(i, created);
      this.seedEvents(issue, created, opts.labelToggles?.(i) ?? 0);
      const uploads = opts.uploads?.(i) ?? (i % 4 === 1 ? 1 : 0);
      for (let u = 0; u < uploads; u++) this.linkUpload(issue, `screenshot ${i}-${u}.png`, 1_000 + ((i * 37 + u * 11) % 5_000));
      const users = opts.userNotes?.(i) ?? i % 4;
      const system = opts.systemNotes?.(i) ?? 1 + (i % 2);
      for (let k = 0; k < users + system; k++) {
        // system notes interleaved with comments, as on a real timeline
        const isSystem = k % 2 === 0 ? k / 2 < system : (k - 1) / 2 >= users;
        this.pushNote(issue, { system: isSystem, at: new Date(created.getTime() + (k + 1) * 1000) });
      }
    }
    return this;
  }

  /** The events GitLab writes for how the issue came to be: its labels, its milestone, its closing, plus `toggles` label removals and re-adds. */
  private seedEvents(issue: FakeIssue, created: Date, toggles: number): void {
    const ev: FakeEvents = { state: [], label: [], milestone: [] };
    this.events.set(issue.iid, ev);
    let t = created.getTime();
    const next = (): string => new Date((t += 100)).toISOString();
    const user = issue.author as FakeUser;
    const base = (at: string) => ({ id: this.nextEventId++, user: { id: user.id, username: user.username, name: user.name, state: 'active', web_url: user.web_url }, created_at: at, resource_type: 'Issue', resource_id: issue.id });
    for (const name of issue.labels as string[]) ev.label.push({ ...base(next()), label: this.label(name), action: 'add' });
    for (let k = 0; k < toggles; k++) {
      const name = (issue.labels as string[])[0] ?? 'triage';
      ev.label.push({ ...base(next()), label: this.label(name), action: 'remove' });
      ev.label.push({ ...base(next()), label: this.label(name), action: 'add' });
    }
    if (issue.milestone) ev.milestone.push({ ...base(next()), milestone: issue.milestone, action: 'add' });
    if (issue.state === 'closed') ev.state.push({ ...base(issue.closed_at as string), state: 'closed' });
  }

  private label(name: string): Record<string, unknown> {
    return { id: 100 + [...name].reduce((a, c) => a + c.charCodeAt(0), 0), name, color: '#d9534f', description: null };
  }

  /** An upload linked from the issue's description, as the editor writes it. */
  linkUpload(issue: FakeIssue, filename: string, size: number): FakeUpload {
    const secret = createHash('md5').update(`${issue.iid}/${filename}`).digest('hex');
    const encoded = encodeURIComponent(filename);
    const upload: FakeUpload = { secret, filename: encoded, size };
    this.uploads.set(`${secret}/${encoded}`, upload);
    issue.description = `${(issue.description as string | null) ?? ''}\n\n![${filename}](/uploads/${secret}/${encoded})`;
    return upload;
  }

  private addIssue(iid: number, created: Date): FakeIssue {
    const author = this.users[iid % 5]!;
    const assignee = iid % 4 === 0 ? null : this.users[(iid + 1) % 5]!;
    const incident = iid % 10 === 0;
    const closed = iid % 3 === 0;
    const at = created.toISOString();
    const issue: FakeIssue = {
      id: 500_000 + iid,
      iid,
      project_id: this.id,
      title: `Issue ${iid}: something is off — ünïcode ✓`,
      description: iid % 7 === 0 ? null : `Steps:\n\n1. open\n2. **click**\n\n\`code ${iid}\``,
      state: closed ? 'closed' : 'opened',
      created_at: at,
      updated_at: new Date(created.getTime() + 30_000).toISOString(),
      closed_at: closed ? new Date(created.getTime() + 45_000).toISOString() : null,
      closed_by: closed ? author : null,
      labels: iid % 2 ? ['bug', 'backend'] : [],
      milestone: iid % 5 === 0 ? { id: 12, iid: 3, title: 'v1.0', state: 'active', due_date: '2024-06-30' } : null,
      weight: iid % 3 === 1 ? (iid % 8) + 1 : null,
      iteration: iid % 6 === 0 ? { id: 55, iid: 2, title: null, start_date: '2024-01-01', due_date: '2024-01-14', state: 3 } : null,
      health_status: iid % 9 === 0 ? 'at_risk' : null,
      assignees: assignee ? [assignee] : [],
      assignee,
      author,
      type: incident ? 'INCIDENT' : 'ISSUE',
      issue_type: incident ? 'incident' : 'issue',
      severity: incident ? 'HIGH' : 'UNKNOWN',
      user_notes_count: 0,
      upvotes: 0,
      downvotes: 0,
      due_date: iid % 4 === 2 ? '2024-05-01' : null,
      confidential: false,
      discussion_locked: null,
      web_url: `${this.webBase}/${this.path}/-/issues/${iid}`,
      references: { short: `#${iid}`, relative: `#${iid}`, full: `${this.path}#${iid}` },
      time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
      _links: { self: `${this.webBase}/api/v4/projects/${this.id}/issues/${iid}` },
      imported: false,
      imported_from: 'none',
    };
    this.issues.push(issue);
    this.notes.set(iid, []);
    return issue;
  }

  private pushNote(issue: FakeIssue, o: { system: boolean; at: Date; body?: string; internal?: boolean }): FakeNote {
    const id = this.nextNoteId++;
    const internal = o.internal ?? (!o.system && id % 5 === 0);
    const note: FakeNote = {
      id,
      type: null,
      body: o.body ?? (o.system ? 'changed the description' : `Comment ${id} on #${issue.iid}`),
      attachment: null,
      author: this.users[id % 5],
      created_at: o.at.toISOString(),
      updated_at: o.at.toISOString(),
      system: o.system,
      noteable_id: issue.id,
      noteable_type: 'Issue',
      project_id: this.id,
      noteable_iid: issue.iid,
      resolvable: false,
      confidential: internal,
      internal,
      imported: false,
      imported_from: 'none',
    };
    this.notes.get(issue.iid)!.push(note);
    if (!o.system) issue.user_notes_count += 1;
    return note;
  }

  issue(iid: number): FakeIssue {
    const found = this.issues.find((i) => i.iid === iid);
    if (!found) throw new Error(`no issue #${iid}`);
    return found;
  }

  /** Edit an issue as a user would: updated_at moves to now. */
  update(iid: number, patch: Partial<FakeIssue> = {}, now = new Date()): FakeIssue {
    const issue = this.issue(iid);
    Object.assign(issue, patch, { updated_at: now.toISOString() });
    return issue;
  }

  /** A new comment (or system note); like GitLab, this touches the issue's updated_at. */
  comment(iid: number, body: string, o: { system?: boolean; internal?: boolean; now?: Date } = {}): FakeNote {
    const now = o.now ?? new Date();
    const issue = this.update(iid, {}, now);
    return this.pushNote(issue, { system: o.system ?? false, at: now, body, internal: o.internal ?? false });
  }

  /** GET /projects/:id, the fields a client reads (docs.gitlab.com/api/projects/#get-a-single-project). */
  json(): Record<string, unknown> {
    const name = this.path.slice(this.path.lastIndexOf('/') + 1);
    return {
      id: this.id, name, path: name, path_with_namespace: this.path, name_with_namespace: this.path.split('/').join(' / '),
      description: null, default_branch: 'main', visibility: 'private', issues_enabled: true,
      web_url: `${this.webBase}/${this.path}`, created_at: new Date(BASE_TIME).toISOString(), _links: { self: `${this.webBase}/api/v4/projects/${this.id}` },
    };
  }

  /** Deletes an issue and its notes, as an owner can: it answers 404 from then on. */
  remove(iid: number): void {
    const at = this.issues.findIndex((i) => i.iid === iid);
    if (at >= 0) this.issues.splice(at, 1);
    this.notes.delete(iid);
    this.events.delete(iid);
  }

  userNotes(iid: number): FakeNote[] {
    return (this.notes.get(iid) ?? []).filter((n) => !n.system);
  }
}
