/**
 * What a Jira issue carries beyond its core fields (issue 12), read from the raw issue the
 * connector completed: `changelog` (changelog.ts) → history, `fields.attachment` → attachments,
 * custom fields with `names` / `schema` (custom-fields.ts), and whether comments, history and
 * attachments are complete against Jira's own totals.
 */
import type { NormalizedItem } from '../connector.js';
import { part, skipped, type Attachment, type HistoryEntry, type PartCompleteness } from '../item-depth.js';
import { customFields } from './custom-fields.js';
import { jiraTime, person } from './values.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Oldest change first (the search embeds the newest first), then by id for changes in one instant. */
function history(changelog: Obj): HistoryEntry[] {
  const groups = list(changelog.histories).map(obj);
  const at = (h: Obj) => Date.parse(jiraTime(h.created) ?? '') || 0;
  groups.sort((a, b) => at(a) - at(b) || (Number(a.id) || 0) - (Number(b.id) || 0));
  return groups.flatMap((h) => {
    const when = jiraTime(h.created);
    const actor = person(h.author);
    return list(h.items).map(obj).map((it) => ({
      at: when,
      actor,
      field: text(it.field) ?? text(it.fieldId) ?? '',
      from: text(it.fromString) ?? text(it.from),
      to: text(it.toString) ?? text(it.to),
    }));
  });
}

/** The content URL as Jira gives it, without any userinfo (Jira puts none there; a proxy might). */
function sourceUrl(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  try {
    const u = new URL(s);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return null;
  }
}

function attachments(field: unknown[]): Attachment[] {
  return field.map(obj).flatMap((a) => {
    const id = text(a.id);
    if (id === null) return [];
    return [{
      external_id: id,
      name: text(a.filename) ?? id,
      size: typeof a.size === 'number' ? a.size : null,
      media_type: text(a.mimeType),
      author: person(a.author),
      created_at: jiraTime(a.created),
      source_url: sourceUrl(a.content),
      content: null,
    }];
  });
}

function historyCompleteness(changelog: Obj | null, error: string | null): PartCompleteness {
  if (changelog === null) return skipped('include_history is false');
  const fetched = list(changelog.histories).length;
  const total = typeof changelog.total === 'number' ? changelog.total : null;
  const missing = error ?? (total !== null && fetched < total ? 'not paged' : null);
  return part(fetched, total, missing === null ? null : `Jira changelog has ${total ?? 'more'} entries, ${fetched} read: ${missing}`);
}

function commentCompleteness(fields: Obj): PartCompleteness {
  if (!('comment' in fields)) return skipped('include_comments is false');
  const read = list(obj(fields.comment).comments).length;
  const total = typeof obj(fields.comment).total === 'number' ? (obj(fields.comment).total as number) : null;
  return part(read, total, total !== null && read < total ? `Jira issue has ${total} comments, ${read} read` : null);
}

type Depth = Pick<NormalizedItem, 'history' | 'attachments' | 'custom_fields' | 'completeness'>;

export function depthOf(raw: Obj): Depth {
  const f = obj(raw.fields);
  const changelog = typeof raw.changelog === 'object' && raw.changelog !== null ? obj(raw.changelog) : null;
  const error = text(obj(raw.importer).history_error);
  const field = Array.isArray(f.attachment) ? f.attachment : null;
  const atts = field === null ? [] : attachments(field);
  return {
    history: changelog === null ? [] : history(changelog),
    attachments: atts,
    custom_fields: customFields(f, obj(raw.names), obj(raw.schema)),
    completeness: {
      comments: commentCompleteness(f),
      history: historyCompleteness(changelog, error),
      // Jira lists every attachment in the field: complete whenever the field came back
      attachments: field === null ? skipped('Jira sent no attachment field') : part(atts.length, field.length),
    },
  };
}
