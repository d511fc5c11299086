/**
 * What the Jira fake serves beyond an issue's core fields (issue 12): its changelog, its custom
 * fields with their metadata, and its attachments' content. After Atlassian's public docs:
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
 *   `expand` is a comma-delimited string: `changelog` embeds "a list of recent updates to an issue, sorted by
 *   date, starting from the most recent" — on /search/jql at most 40 of them, with the real `total`
 *   (https://jira.atlassian.com/browse/JRACLOUD-96459); Data Center's /rest/api/2/search embeds at most 100.
 *   `names` and `schema` add field id → display name and field id → JsonTypeBean {type, items, system,
 *   custom, customId} for the fields of the page.
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-changelog-get
 *   GET /rest/api/3/issue/{issueIdOrKey}/changelog: PageBeanChangelog {self, nextPage, maxResults (≤100),
 *   startAt, total, isLast, values}, oldest first.
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-changelog-bulkfetch-post
 *   POST /rest/api/3/changelog/bulkfetch {issueIdsOrKeys (up to 1000), fieldIds?, maxResults?, nextPageToken?}
 *   → {issueChangeLogs: [{issueId, changeHistories}], nextPageToken} "sorted by changelog date and issue IDs,
 *   starting from the oldest changelog and smallest issue ID"; no per-issue total. Cloud only.
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-get
 *   GET /rest/api/3/field: [{id, key, name, custom, orderable, navigable, searchable, clauseNames, schema}].
 * - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-attachments/#api-rest-api-3-attachment-content-id-get
 *   GET /rest/api/3/attachment/content/{id}: "redirect (boolean) … default true": a 303 to the media
 *   service (another origin) that serves the bytes on a short-lived token in its URL, no credential needed.
 *   Data Center serves content at /secure/attachment/{id}/{filename}
 *   (https://developer.atlassian.com/server/jira/platform/rest/v10005/api-group-attachment/).
 */
import { jiraTime, USERS, type FakeIssue, type FakeUser, type Flavor } from './jira-data.js';

export interface FakeChangeItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface FakeHistory {
  id: number;
  author: FakeUser;
  createdMs: number;
  items: FakeChangeItem[];
}

/** Field metadata as GET /field answers it; `schema` is the JsonTypeBean search's `schema` expansion carries. */
export interface FakeFieldDef {
  id: string;
  name: string;
  custom: boolean;
  schema: Record<string, unknown>;
}

const CF = 'com.atlassian.jira.plugin.system.customfieldtypes';
const custom = (n: number, name: string, type: string, kind: string, items?: string): FakeFieldDef => ({
  id: `customfield_${n}`, name, custom: true,
  schema: { type, ...(items && { items }), custom: kind, customId: n },
});

/** The custom fields every generated issue may carry, one of each type an importer meets. */
export const FIELD_DEFS: FakeFieldDef[] = [
  { id: 'duedate', name: 'Due date', custom: false, schema: { type: 'date', system: 'duedate' } },
  custom(10016, 'Story point estimate', 'number', 'com.pyxis.greenhopper.jira:jsw-story-points'),
  custom(10026, 'Story Points', 'number', `${CF}:float`),
  custom(10020, 'Sprint', 'array', 'com.pyxis.greenhopper.jira:gh-sprint', 'json'),
  custom(10030, 'Severity', 'option', `${CF}:select`),
  custom(10031, 'Affected areas', 'array', `${CF}:multiselect`, 'option'),
  custom(10032, 'Reviewers', 'array', `${CF}:multiuserpicker`, 'user'),
  custom(10015, 'Start date', 'date', `${CF}:datepicker`),
  custom(10033, 'Deployed at', 'datetime', `${CF}:datetime`),
  custom(10034, 'Release notes', 'string', `${CF}:textarea`),
  custom(10035, 'Team name', 'string', `${CF}:textfield`),
];

/** GET /field: the system fields the fake serves are left out except duedate; custom ones in full. */
export function fieldList(): unknown[] {
  return FIELD_DEFS.map((f) => ({
    id: f.id, key: f.id, name: f.name, custom: f.custom, orderable: true, navigable: true, searchable: true,
    clauseNames: f.custom ? [`cf[${f.id.slice(12)}]`, f.name] : [f.id], schema: f.schema,
  }));
}

/** Deterministic custom values of issue i (0-based) in plain form, rendered per flavour by customJson. */
export function customValues(i: number, createdMs: number): Record<string, unknown> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    duedate: i % 3 === 2 ? null : day(createdMs + 14 * 86_400_000),
    customfield_10026: i % 4 === 3 ? null : (i % 8) + 0.5,
    customfield_10016: null,
    customfield_10020: i % 5 === 4 ? null : [{ id: 1, name: 'Sprint 1', state: 'closed' }, { id: 2 + (i % 2), name: `Sprint ${2 + (i % 2)}`, state: 'active' }],
    customfield_10030: i % 2 === 0 ? { id: '10100', value: i % 4 === 0 ? 'Critical' : 'Minor' } : null,
    customfield_10031: [{ id: '10200', value: 'API' }, { id: '10201', value: 'Ünïcode UI' }],
    customfield_10032: [USERS[i % USERS.length]!, USERS[(i + 1) % USERS.length]!],
    customfield_10015: day(createdMs),
    customfield_10033: createdMs + 86_400_000,
    customfield_10034: i % 3 === 0 ? `Notes for issue ${i + 1}` : null,
    customfield_10035: `Team ${String.fromCharCode(65 + (i % 3))}`,
  };
}

/** Jira's JSON for one custom value: options as {self, value, id}, users as user JSON, sprints as objects (Cloud) or toString() text (DC). */
export function customJson(
  id: string, v: unknown, flavor: Flavor, base: string, userJson: (u: FakeUser) => unknown,
): unknown {
  if (v === null || v === undefined) return null;
  const ver = flavor === 'cloud' ? 3 : 2;
  const option = (o: { id: string; value: string }) => ({ self: `${base}/rest/api/${ver}/customFieldOption/${o.id}`, value: o.value, id: o.id });
  switch (id) {
    case 'customfield_10020':
      return (v as { id: number; name: string; state: string }[]).map((s) => (flavor === 'cloud'
        ? { id: s.id, name: s.name, state: s.state, boardId: 1, goal: '', startDate: '2024-01-01T00:00:00.000Z', endDate: '2024-01-14T00:00:00.000Z' }
        // Data Center REST v2 returns the sprint object's toString()
        : `com.atlassian.greenhopper.service.sprint.Sprint@1f2e3d[id=${s.id},rapidViewId=1,state=${s.state.toUpperCase()},name=${s.name},startDate=2024-01-01T00:00:00.000Z,endDate=2024-01-14T00:00:00.000Z,completeDate=<null>,sequence=${s.id},goal=]`));
    case 'customfield_10030':
      return option(v as { id: string; value: string });
    case 'customfield_10031':
      return (v as { id: string; value: string }[]).map(option);
    case 'customfield_10032':
      return (v as FakeUser[]).map(userJson);
    case 'customfield_10033':
      return jiraTime(v as number, 120);
    case 'customfield_10034':
      return flavor === 'dc' ? `*${String(v)}*` : { version: 1, type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: String(v), marks: [{ type: 'strong' }] }] }] };
    default:
      return v;
  }
}

/** names / schema of the expansions, for these field ids. */
export function namesOf(ids: Iterable<string>): { names: Record<string, string>; schema: Record<string, unknown> } {
  const names: Record<string, string> = {};
  const schema: Record<string, unknown> = {};
  const defs = new Map(FIELD_DEFS.map((f) => [f.id, f]));
  for (const id of ids) {
    const def = defs.get(id);
    names[id] = def?.name ?? id[0]!.toUpperCase() + id.slice(1);
    schema[id] = def?.schema ?? { type: 'any', system: id };
  }
  return { names, schema };
}

const CHANGES: ((n: number) => Omit<FakeChangeItem, 'fieldtype' | 'fieldId'> & { custom?: boolean; fieldId?: string })[] = [
  (n) => ({ field: 'status', from: '10000', fromString: 'To Do', to: '3', toString: n % 2 ? 'In Progress' : 'Done' }),
  (n) => ({ field: 'assignee', from: null, fromString: null, to: USERS[n % 3]!.accountId, toString: USERS[n % 3]!.displayName }),
  (n) => ({ field: 'labels', from: null, fromString: '', to: null, toString: `label-${n}` }),
  (n) => ({ field: 'Story Points', custom: true, fieldId: 'customfield_10026', from: null, fromString: String(n % 5), to: null, toString: String((n % 5) + 1) }),
  (n) => ({ field: 'summary', from: null, fromString: `Summary ${n}`, to: null, toString: `Summary ${n + 1} — ✓` }),
];

/** `count` change groups starting at `firstId`, a minute apart after `createdMs`; some change two fields at once. */
export function generateHistory(count: number, firstId: number, createdMs: number): FakeHistory[] {
  return Array.from({ length: count }, (_, k) => {
    const make = (j: number): FakeChangeItem => {
      const c = CHANGES[j % CHANGES.length]!(k);
      return { field: c.field, fieldtype: c.custom ? 'custom' : 'jira', fieldId: c.fieldId ?? c.field, from: c.from, fromString: c.fromString, to: c.to, toString: c.toString };
    };
    return {
      id: firstId + k,
      author: USERS[k % USERS.length]!,
      createdMs: createdMs + (k + 1) * 60_000,
      items: k % 7 === 6 ? [make(k), make(k + 1)] : [make(k)],
    };
  });
}

export function historyJson(h: FakeHistory, flavor: Flavor, userJson: (u: FakeUser) => unknown): unknown {
  return {
    id: String(h.id),
    author: userJson(h.author),
    created: jiraTime(h.createdMs, 120),
    items: h.items.map((it) => (flavor === 'cloud' ? { ...it } : { field: it.field, fieldtype: it.fieldtype, from: it.from, fromString: it.fromString, to: it.to, toString: it.toString })),
  };
}

/** The changelog `expand=changelog` embeds: the newest `limit` entries, newest first, with the real total. */
export function embeddedChangelog(issue: FakeIssue, limit: number, render: (h: FakeHistory) => unknown): unknown {
  const all = issue.history ?? [];
  const newest = [...all].sort((a, b) => b.createdMs - a.createdMs || b.id - a.id).slice(0, limit);
  return { startAt: 0, maxResults: newest.length, total: all.length, histories: newest.map(render) };
}

/** Bytes of the declared size, the same on every read: byte k of attachment `id` is (id·31 + k) mod 256. */
export function attachmentBytes(id: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let k = 0; k < size; k++) b[k] = (id * 31 + k) & 0xff;
  return b;
}
