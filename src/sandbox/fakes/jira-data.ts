/**
 * The Jira fake's dataset and its JSON shapes, after the Jira Cloud v3 / Data Center v2 docs
 * (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ ,
 * https://developer.atlassian.com/server/jira/platform/rest/v10005/ ): string ids, timestamps
 * like `2021-01-17T12:34:00.000+0000` (offset without colon), users by accountId (Cloud) or
 * name/key (DC), null assignees, hidden emails, attachment ids as NUMBERS (as in the official
 * example), ADF rich text on Cloud and wiki-markup strings on Data Center.
 */
import { customJson, customValues, generateHistory, type FakeHistory } from './jira-depth.js';

export type Flavor = 'cloud' | 'dc';

export interface FakeUser {
  accountId: string;
  name: string;
  key: string;
  displayName: string;
  emailAddress: string | null;
}

export interface FakeComment {
  id: number;
  author: FakeUser;
  body: string;
  createdMs: number;
  /** Restricted to a role (Jira `visibility`) */
  restricted: boolean;
}

export interface FakeIssue {
  id: number;
  key: string;
  project: string;
  summary: string;
  /** Paragraph text; rendered as ADF (Cloud) or wiki markup (DC). null = no description. */
  description: string | null;
  /** A code block after the description's text (ADF `codeBlock`, wiki `{code}`). */
  code?: string;
  status: 'new' | 'indeterminate' | 'done';
  assignee: FakeUser | null;
  reporter: FakeUser;
  labels: string[];
  parentId: number | null;
  createdMs: number;
  updatedMs: number;
  comments: FakeComment[];
  attachments: { id: number; filename: string; size: number; mimeType?: string }[];
  /** Change groups of the changelog (jira-depth.ts), oldest first; absent = none. */
  history?: FakeHistory[];
  /** Custom field id (and `duedate`) → plain value (jira-depth.ts customJson renders it); absent = none set. */
  custom?: Record<string, unknown>;
}

export const USERS: FakeUser[] = [
  { accountId: '5b10a2844c20165700ede21g', name: 'jsmith', key: 'JIRAUSER10100', displayName: 'Jane Smith', emailAddress: 'jane@example.com' },
  { accountId: '5b10ac8d82e05b22cc7d4ef5', name: 'mmüller', key: 'JIRAUSER10101', displayName: 'Mia Müller 🚀', emailAddress: null },
  { accountId: '712020:0e4b2d1c-aaaa-bbbb', name: 'tanaka', key: 'JIRAUSER10102', displayName: '田中 太郎', emailAddress: 'tanaka@example.jp' },
];

const STATUS = {
  new: { id: '10000', name: 'To Do', cat: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
  indeterminate: { id: '3', name: 'In Progress', cat: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  done: { id: '10001', name: 'Done', cat: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
} as const;

/** Jira's format: milliseconds and a `+hhmm` offset (users in +02:00 get local times). */
export function jiraTime(ms: number, offsetMin = 0): string {
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

export interface GenerateOptions {
  project?: string;
  count: number;
  /** Comments of issue i (0-based). */
  comments?: (i: number) => number;
  firstId?: number;
  startMs?: number;
  /** Changelog entries of issue i (0-based); default none. */
  history?: (i: number) => number;
  /** Give every issue values for the custom fields of jira-depth.ts FIELD_DEFS. */
  custom?: boolean;
}

export function generateIssues(o: GenerateOptions): FakeIssue[] {
  const project = o.project ?? 'TEST';
  const first = o.firstId ?? 10000;
  const start = o.startMs ?? Date.UTC(2024, 0, 1);
  let commentId = 20000 + first * 100;
  let historyId = 50000 + first * 1000;
  return Array.from({ length: o.count }, (_, i) => {
    const created = start + i * 60_000;
    const states = ['new', 'indeterminate', 'done'] as const;
    const changes = o.history?.(i) ?? 0;
    historyId += changes;
    return {
      id: first + i,
      key: `${project}-${i + 1}`,
      project,
      summary: i % 7 === 3 ? `Ünïcödé issue ${i + 1} — 日本語 ✓` : `Issue ${i + 1}`,
      description: i % 5 === 4 ? null : `Description of issue ${i + 1}`,
      status: states[i % 3]!,
      assignee: i % 4 === 1 ? null : USERS[i % USERS.length]!,
      reporter: USERS[(i + 1) % USERS.length]!,
      labels: i % 2 === 0 ? ['backend'] : [],
      parentId: i % 10 === 9 ? first : null,
      createdMs: created,
      updatedMs: created + 3_600_000,
      attachments: i % 6 === 0 ? [{ id: 30000 + i, filename: `screenshot-${i + 1}.png`, size: 1024 + i }] : [],
      comments: Array.from({ length: o.comments?.(i) ?? 0 }, (_c, j) => ({
        id: commentId++,
        author: USERS[j % USERS.length]!,
        body: `Comment ${j + 1} on ${project}-${i + 1}`,
        createdMs: created + (j + 1) * 1000,
        restricted: j % 9 === 8,
      })),
      ...(changes > 0 && { history: generateHistory(changes, historyId - changes, created) }),
      ...(o.custom && { custom: customValues(i, created) }),
    };
  });
}

export function userJson(u: FakeUser | null, flavor: Flavor, base: string): unknown {
  if (u === null) return null;
  const common = { displayName: u.displayName, active: true, timeZone: 'Europe/Berlin', avatarUrls: { '48x48': `${base}/avatar/48` } };
  const email = u.emailAddress === null ? {} : { emailAddress: u.emailAddress };
  return flavor === 'cloud'
    ? { self: `${base}/rest/api/3/user?accountId=${u.accountId}`, accountId: u.accountId, accountType: 'atlassian', ...email, ...common }
    : { self: `${base}/rest/api/2/user?username=${u.name}`, name: u.name, key: u.key, ...email, ...common };
}

function richText(text: string, flavor: Flavor, code?: string): unknown {
  if (flavor === 'dc') return `h2. Details\n*${text}*\n* first point\n* second point${code === undefined ? '' : `\n{code}${code}{code}`}`;
  return {
    version: 1,
    type: 'doc',
    content: [
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Details' }] },
      { type: 'paragraph', content: [{ type: 'text', text, marks: [{ type: 'strong' }] }] },
      ...(code === undefined ? [] : [{ type: 'codeBlock', attrs: {}, content: [{ type: 'text', text: code }] }]),
      {
        type: 'bulletList',
        content: ['first point', 'second point'].map((t) => ({
          type: 'listItem',
          content: [{ type: 'paragraph', content: [{ type: 'text', text: t }] }],
        })),
      },
    ],
  };
}

export function commentJson(c: FakeComment, issueId: number, flavor: Flavor, base: string): unknown {
  const v = flavor === 'cloud' ? 3 : 2;
  return {
    self: `${base}/rest/api/${v}/issue/${issueId}/comment/${c.id}`,
    id: String(c.id),
    author: userJson(c.author, flavor, base),
    updateAuthor: userJson(c.author, flavor, base),
    body: flavor === 'cloud' ? { version: 1, type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: c.body }] }] } : c.body,
    created: jiraTime(c.createdMs, 120),
    updated: jiraTime(c.createdMs, 120),
    ...(c.restricted ? { visibility: { type: 'role', value: 'Administrators', identifier: 'Administrators' } } : {}),
    jsdPublic: true,
  };
}

/** Every field the fake knows, as Jira would return it. */
export function issueFields(issue: FakeIssue, flavor: Flavor, base: string, embedComments: number): Record<string, unknown> {
  const v = flavor === 'cloud' ? 3 : 2;
  const s = STATUS[issue.status];
  return {
    summary: issue.summary,
    description: issue.description === null ? null : richText(issue.description, flavor, issue.code),
    status: { self: `${base}/rest/api/${v}/status/${s.id}`, id: s.id, name: s.name, statusCategory: { self: `${base}/rest/api/${v}/statuscategory/${s.cat.id}`, ...s.cat } },
    priority: { self: `${base}/rest/api/${v}/priority/3`, id: '3', name: 'Medium' },
    issuetype: { self: `${base}/rest/api/${v}/issuetype/10001`, id: '10001', name: 'Task', subtask: false, hierarchyLevel: 0 },
    project: { self: `${base}/rest/api/${v}/project/10000`, id: '10000', key: issue.project, name: `Project ${issue.project}` },
    assignee: userJson(issue.assignee, flavor, base),
    reporter: userJson(issue.reporter, flavor, base),
    labels: issue.labels,
    parent: issue.parentId === null ? undefined : { id: String(issue.parentId), key: `${issue.project}-1`, self: `${base}/rest/api/${v}/issue/${issue.parentId}` },
    attachment: issue.attachments.map((a) => ({
      id: a.id, // a number, as in the official example
      self: `${base}/rest/api/${v}/attachment/${a.id}`,
      filename: a.filename,
      author: userJson(issue.reporter, flavor, base),
      created: jiraTime(issue.createdMs),
      size: a.size,
      mimeType: a.mimeType ?? 'image/png',
      // Data Center links the servlet that serves the file; Cloud the REST content endpoint (which redirects)
      content: flavor === 'cloud' ? `${base}/rest/api/3/attachment/content/${a.id}` : `${base}/secure/attachment/${a.id}/${encodeURIComponent(a.filename)}`,
    })),
    created: jiraTime(issue.createdMs),
    updated: jiraTime(issue.updatedMs),
    ...Object.fromEntries(Object.entries(issue.custom ?? {}).map(([id, v]) => [id, customJson(id, v, flavor, base, (u) => userJson(u, flavor, base))])),
    resolutiondate: issue.status === 'done' ? jiraTime(issue.updatedMs) : null,
    comment: {
      comments: issue.comments.slice(0, embedComments).map((c) => commentJson(c, issue.id, flavor, base)),
      self: `${base}/rest/api/${v}/issue/${issue.id}/comment`,
      maxResults: embedComments,
      total: issue.comments.length,
      startAt: 0,
    },
  };
}
