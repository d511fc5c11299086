/**
 * One Jira issue (Cloud v3 or Data Center v2 JSON, comments completed by the connector) →
 * NormalizedItem. Rich text is ADF (an object) on Cloud and wiki markup (a string) on Data Center;
 * the shape of the value decides, so either flavour's record normalizes the same way.
 * Attachments also resolve ADF media nodes to the attachment's content URL. History, attachments,
 * custom fields and completeness: depth.ts.
 */
import type { ItemComment, NormalizedItem, StatusCategory } from '../connector.js';
import { adfToMarkdown } from './adf.js';
import { depthOf } from './depth.js';
import { jiraTime, person } from './values.js';
import { wikiToMarkdown } from './wiki.js';

export { jiraTime, person } from './values.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

export interface NormalizeContext {
  baseUrl: string;
  /** The configured project_key, used when an issue lacks fields.project. */
  project: string | null;
}

const CATEGORY: Record<string, StatusCategory> = { new: 'todo', indeterminate: 'in_progress', done: 'done' };

function richText(v: unknown, attachments: Map<string, string>): string | null {
  if (typeof v === 'string') return wikiToMarkdown(v);
  if (typeof v !== 'object' || v === null) return null;
  return adfToMarkdown(v, { mediaUrl: (a) => attachments.get(text(a.alt) ?? '') ?? null });
}

function attachmentUrls(fields: Obj): Map<string, string> {
  const map = new Map<string, string>();
  for (const a of Array.isArray(fields.attachment) ? fields.attachment : []) {
    const name = text(obj(a).filename);
    const url = text(obj(a).content);
    if (name !== null && url !== null && !map.has(name)) map.set(name, url);
  }
  return map;
}

function comments(fields: Obj, attachments: Map<string, string>): ItemComment[] {
  const list = obj(fields.comment).comments;
  if (!Array.isArray(list)) return [];
  return list.map(obj).flatMap((c) => {
    const id = text(c.id);
    if (id === null) return [];
    return [{
      external_id: id,
      author: person(c.author),
      body: richText(c.body, attachments) ?? '',
      created_at: jiraTime(c.created),
      // Restricted to a role or group, or a Jira Service Management internal note.
      internal: Object.keys(obj(c.visibility)).length > 0 || c.jsdPublic === false,
    }];
  });
}

export function identifyIssue(raw: unknown): { external_id: string; key: string | null } {
  const r = obj(raw);
  return { external_id: text(r.id) ?? '', key: text(r.key) };
}

export function normalizeIssue(raw: unknown, ctx: NormalizeContext): NormalizedItem {
  const r = obj(raw);
  const id = text(r.id);
  const key = text(r.key);
  if (id === null || key === null) throw new Error('Jira issue without id or key');
  if (typeof r.fields !== 'object' || r.fields === null) throw new Error(`Jira issue ${key} has no fields`);
  const f = obj(r.fields);
  const status = obj(f.status);
  const attachments = attachmentUrls(f);
  return {
    external_id: id,
    key,
    project: text(obj(f.project).key) ?? ctx.project ?? '',
    title: text(f.summary) ?? '',
    description: richText(f.description, attachments),
    status: text(status.name),
    status_category: CATEGORY[text(obj(status.statusCategory).key) ?? ''] ?? 'todo',
    priority: text(obj(f.priority).name),
    item_type: text(obj(f.issuetype).name),
    assignee: person(f.assignee),
    reporter: person(f.reporter),
    labels: Array.isArray(f.labels) ? f.labels.filter((l): l is string => typeof l === 'string') : [],
    url: `${ctx.baseUrl}/browse/${encodeURIComponent(key)}`,
    parent_external_id: text(obj(f.parent).id),
    created_at: jiraTime(f.created),
    updated_at: jiraTime(f.updated),
    closed_at: jiraTime(f.resolutiondate),
    comments: comments(f, attachments),
    ...depthOf(r),
    raw,
  };
}
