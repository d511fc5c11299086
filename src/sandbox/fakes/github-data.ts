/**
 * Deterministic repository content for the GitHub fake (see github.ts for the doc citations).
 * Shapes follow the "List repository issues" and "List issue comments for a repository" response
 * schemas of github/docs src/rest/data/fpt-2022-11-28/issues.json [G1]: int64 ids that are not
 * issue numbers, pull requests carrying a `pull_request` object, labels as objects, `state_reason`,
 * `type`, `parent_issue_url`, nullable `body`, comments pointing back by `issue_url`.
 * Issue 12: milestones with `due_on` (the milestone schema of [G1]), issue events (github-events.ts),
 * and uploads linked from bodies and comments as GitHub writes them when a file is dropped into the
 * editor (https://docs.github.com/get-started/writing-on-github/working-with-advanced-formatting/attaching-files):
 * `![name](https://github.com/user-attachments/assets/<uuid>)` for images, `[name](…/user-attachments/files/<id>/<name>)`
 * for other files, `<img … src>` when resized, and the older `/{owner}/{repo}/assets/<id>/<uuid>` and
 * user-images.githubusercontent.com forms still found in old issues.
 */
import { eventsOf } from './github-events.js';

export type Json = Record<string, unknown>;

export interface RepoDataOptions {
  apiBase: string;
  webBase: string;
  owner: string;
  repo: string;
  repoId: number;
  issues: number;
  /** Every n-th number is a pull request (0: none). */
  prEvery: number;
  commentsFor: (n: number) => number;
  /** labeled/unlabeled pairs added to issue n's events (a long history) */
  extraEventsFor?: (n: number) => number;
  /** Deepest page the events lists serve (GitHub's "pagination is limited"; default EVENT_PAGES_CAP). */
  eventPagesCap?: number;
}

const START = Date.parse('2024-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

export function user(id: number, login: string): Json {
  return {
    login, id, node_id: `MDQ6VXNlcj${id}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '', url: `https://api.github.com/users/${login}`, html_url: `https://github.com/${login}`,
    type: 'User', site_admin: false,
  };
}

const USERS = [user(583231, 'octocat'), user(9919, 'hubot'), user(21031067, 'monalisa')];
// GitHub shows `email` on a user object only when the user made a (verified) address public.
USERS[2]!['email'] = 'monalisa@example.com';

const MILESTONES: Json[] = [
  { id: 1002604, node_id: 'MDk6TWlsZXN0b25lMTAwMjYwNA==', number: 1, title: 'v1.0', description: 'Tracking milestone for version 1.0', state: 'open', due_on: '2024-03-01T08:00:00Z' },
  { id: 1002605, node_id: 'MDk6TWlsZXN0b25lMTAwMjYwNQ==', number: 2, title: 'v2.0', description: null, state: 'open', due_on: null },
];

/** A deterministic v4-shaped UUID for upload n of kind k. */
function uuid(n: number, k: number): string {
  const h = ((n * 2654435761 + k * 40503) >>> 0).toString(16).padStart(8, '0');
  return `${h}-${String(n % 10000).padStart(4, '0')}-4${String(k).padStart(3, '0')}-8000-${String(n).padStart(12, '0')}`;
}

/** Uploads of an upload-bearing text: link text (or alt) and URL path, as the tests expect them. */
export interface Upload { name: string; path: string; markdown: string }

function label(id: number, name: string, color: string): Json {
  return { id, node_id: `MDU6TGFiZWw${id}`, url: `https://api.github.com/labels/${name}`, name, description: null, color, default: false };
}

export class RepoData {
  readonly issues: Json[] = [];
  readonly comments: Json[] = [];
  /** Comments by issue number, in creation order: one issue's list without scanning the repository's. */
  private readonly commentsByIssue = new Map<number, Json[]>();
  private nextCommentId = 1_000_000_001;
  /** Every issue event, ascending id (= time); the repository-wide list serves them newest first. */
  readonly events: Json[] = [];
  private readonly eventsByIssue = new Map<number, Json[]>();
  private readonly issueOfEvent = new WeakMap<Json, number>();

  constructor(readonly o: RepoDataOptions) {
    const pending: { n: number; at: number }[] = [];
    for (let n = 1; n <= o.issues; n++) {
      this.issues.push(this.issue(n));
      for (let k = 0; k < o.commentsFor(n); k++) pending.push({ n, at: START + n * 60_000 + (k + 1) * 7 * 60_000 });
    }
    // Comment ids grow with creation time across the whole repository, as on GitHub.
    pending.sort((a, b) => a.at - b.at || a.n - b.n);
    for (const c of pending) {
      const k = this.commentsOf(c.n).length;
      const upload = k === 1 && c.n % 4 === 2 ? this.upload(c.n, 7, 'image') : null;
      this.pushComment(c.n, c.at, `Comment on #${c.n} at ${iso(c.at)}${upload ? `\n\n${upload.markdown}` : ''}`);
    }
    this.buildEvents();
  }

  /** Event ids grow with time across the repository, as on GitHub. */
  private buildEvents(): void {
    let temp = 0;
    for (const issue of this.issues) {
      const n = issue['number'] as number;
      const own = eventsOf({ issue, users: USERS, extra: this.o.extraEventsFor?.(n) ?? 0 }, () => ++temp);
      this.eventsByIssue.set(n, own);
      for (const e of own) this.issueOfEvent.set(e, n);
      this.events.push(...own);
    }
    const keyed = this.events.map((e, i) => ({ e, t: Date.parse(e['created_at'] as string), i }));
    keyed.sort((a, b) => a.t - b.t || a.i - b.i);
    this.events.length = 0;
    let id = 6_000_000_001;
    for (const { e } of keyed) {
      e['id'] = id;
      e['node_id'] = `LE_kwDO${id}`;
      e['url'] = `${this.repoUrl}/issues/events/${id}`;
      id++;
      this.events.push(e);
    }
  }

  /** The number of the issue an event belongs to. */
  eventIssue(event: Json): number {
    return this.issueOfEvent.get(event)!;
  }

  eventsOf(n: number): Json[] {
    return this.eventsByIssue.get(n) ?? [];
  }

  /**
   * Upload k of issue n, in the form GitHub writes for its kind: 'image' (user-attachments/assets),
   * 'file' (user-attachments/files/<id>/<name>), 'resized' (<img> with the older repository assets
   * URL), 'legacy' (user-images.githubusercontent.com: another host, metadata only).
   */
  upload(n: number, k: number, kind: 'image' | 'file' | 'resized' | 'legacy'): Upload {
    const web = this.o.webBase;
    const id = 100_000 + n * 10 + k;
    switch (kind) {
      case 'image': {
        const path = `/user-attachments/assets/${uuid(n, k)}`;
        return { name: `screenshot-${n}-${k}.png`, path, markdown: `![screenshot-${n}-${k}.png](${web}${path})` };
      }
      case 'file': {
        const path = `/user-attachments/files/${id}/report-${n}.pdf`;
        return { name: `report-${n}.pdf`, path, markdown: `[report-${n}.pdf](${web}${path})` };
      }
      case 'resized': {
        const path = `/${this.o.owner}/${this.o.repo}/assets/583231/${uuid(n, k)}`;
        return { name: 'diagram', path, markdown: `<img width="420" alt="diagram" src="${web}${path}">` };
      }
      case 'legacy': {
        const path = `/583231/${id}-${uuid(n, k)}.png`;
        return { name: `${id}-${uuid(n, k)}.png`, path, markdown: `![](https://user-images.githubusercontent.com${path})` };
      }
    }
  }

  /** The uploads written into issue n's body (see issue()). */
  bodyUploads(n: number): Upload[] {
    if (n % 7 === 0) return []; // no body
    const out: Upload[] = [];
    if (n % 4 === 1) out.push(this.upload(n, 1, 'image'));
    if (n % 8 === 3) out.push(this.upload(n, 2, 'file'));
    if (n % 12 === 5) out.push(this.upload(n, 3, 'resized'));
    if (n % 10 === 6) out.push(this.upload(n, 4, 'legacy'));
    return out;
  }

  /** The bytes served for an upload's path on the web host, and its media type; null when no such upload. */
  uploadContent(path: string): { bytes: Buffer; mediaType: string } | null {
    const m = /^\/(?:user-attachments\/(assets|files)\/.+|[^/]+\/[^/]+\/assets\/\d+\/[0-9a-f-]+)$/.exec(path);
    if (!m) return null;
    const bytes = Buffer.from(`content of ${path}\n`.repeat(8), 'utf8');
    return { bytes, mediaType: m[1] === 'files' ? 'application/pdf' : 'image/png' };
  }

  get repoUrl(): string {
    return `${this.o.apiBase}/repos/${this.o.owner}/${this.o.repo}`;
  }

  isPr(n: number): boolean {
    return this.o.prEvery > 0 && n % this.o.prEvery === 0;
  }

  byNumber(n: number): Json | undefined {
    return this.issues[n - 1];
  }

  commentsOf(n: number): Json[] {
    return this.commentsByIssue.get(n) ?? [];
  }

  /** Edits an issue as a user would: its updated_at moves to now. */
  edit(n: number, patch: Json): void {
    Object.assign(this.byNumber(n)!, patch, { updated_at: iso(Date.now()) });
  }

  addComment(n: number, body: string): Json {
    const c = this.pushComment(n, Date.now(), body);
    const issue = this.byNumber(n)!;
    issue['comments'] = (issue['comments'] as number) + 1;
    issue['updated_at'] = c['created_at'];
    return c;
  }

  /**
   * Edits a comment's body: its updated_at moves to now, the issue's does not (the edit is in the
   * repository's comment list with `since`, the issue is not in the issue list with `since`).
   */
  editComment(id: number, body: string): Json {
    const c = this.comments.find((x) => x['id'] === id)!;
    Object.assign(c, { body, updated_at: iso(Date.now()) });
    return c;
  }

  /** Deletes a comment: gone from both lists, the issue's `comments` count drops, its updated_at stays. */
  deleteComment(id: number): void {
    const at = this.comments.findIndex((x) => x['id'] === id);
    const [c] = this.comments.splice(at, 1);
    const n = Number(/(\d+)$/.exec(String(c!['issue_url']))![1]);
    const own = this.commentsByIssue.get(n)!;
    own.splice(own.indexOf(c!), 1);
    const issue = this.byNumber(n)!;
    issue['comments'] = (issue['comments'] as number) - 1;
  }

  private pushComment(n: number, at: number, body: string): Json {
    const id = this.nextCommentId++;
    const issue = this.byNumber(n)!;
    const c: Json = {
      id, node_id: `IC_kwDO${id}`, url: `${this.repoUrl}/issues/comments/${id}`,
      html_url: `${issue['html_url']}#issuecomment-${id}`, body, user: USERS[id % USERS.length],
      created_at: iso(at), updated_at: iso(at), issue_url: `${this.repoUrl}/issues/${n}`,
      author_association: 'CONTRIBUTOR', performed_via_github_app: null,
    };
    this.comments.push(c);
    const own = this.commentsByIssue.get(n);
    if (own) own.push(c);
    else this.commentsByIssue.set(n, [c]);
    if (Date.parse(issue['updated_at'] as string) < at) issue['updated_at'] = iso(at);
    return c;
  }

  private parentOf(n: number): number | null {
    if (n === 4 && this.o.issues >= 50) return this.isPr(49) ? 47 : 49; // a parent created after its child
    if (n % 10 !== 2 || n <= 10) return null;
    let p = n - 10;
    while (this.isPr(p)) p--;
    return p;
  }

  private issue(n: number): Json {
    const o = this.o;
    const created = START + n * 60_000;
    const closed = n % 4 === 0;
    const pr = this.isPr(n);
    const parent = pr ? null : this.parentOf(n);
    const assignees = n % 3 === 1 ? [USERS[1], USERS[2]] : [];
    const labels = [label(208045946, 'bug', 'f29513'), label(208045947, 'enhancement', 'a2eeef')].filter((_, i) => (i === 0 ? n % 2 === 1 : n % 5 === 0));
    const html = `${o.webBase}/${o.owner}/${o.repo}/${pr ? 'pull' : 'issues'}/${n}`;
    const issue: Json = {
      id: 1_500_000_000 + n * 17, node_id: `I_kwDO${n}`, url: `${this.repoUrl}/issues/${n}`,
      repository_url: this.repoUrl, labels_url: `${this.repoUrl}/issues/${n}/labels{/name}`,
      comments_url: `${this.repoUrl}/issues/${n}/comments`, events_url: `${this.repoUrl}/issues/${n}/events`,
      html_url: html, number: n, state: closed ? 'closed' : 'open',
      state_reason: closed ? (n % 8 === 0 ? 'not_planned' : 'completed') : n % 7 === 0 ? 'reopened' : null,
      title: `${pr ? 'PR' : 'Issue'} number ${n}`, body: n % 7 === 0 ? null : [`Body of **${n}**\n\n- a list item`, ...this.bodyUploads(n).map((u) => u.markdown)].join('\n\n'),
      user: USERS[n % USERS.length], labels, assignee: assignees[0] ?? null, assignees,
      milestone: n % 6 === 1 || n % 6 === 4 ? { ...MILESTONES[n % 6 === 1 ? 0 : 1]!, url: `${this.repoUrl}/milestones/${n % 6 === 1 ? 1 : 2}` } : null,
      locked: false, active_lock_reason: null, comments: o.commentsFor(n),
      closed_at: closed ? iso(created + 86_400_000) : null, created_at: iso(created), updated_at: iso(closed ? created + 86_400_000 : created + 30_000),
      closed_by: closed ? USERS[0] : null, author_association: 'COLLABORATOR',
      type: !pr && n % 9 === 0 ? { id: 1, node_id: 'IT_kwDO1', name: 'Bug', description: 'An unexpected problem', color: 'red' } : null,
      timeline_url: `${this.repoUrl}/issues/${n}/timeline`, performed_via_github_app: null,
    };
    if (parent !== null) issue['parent_issue_url'] = `${this.repoUrl}/issues/${parent}`;
    if (pr) {
      issue['pull_request'] = {
        url: `${this.repoUrl}/pulls/${n}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: null,
      };
    }
    return issue;
  }
}
