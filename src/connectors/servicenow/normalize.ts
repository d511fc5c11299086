/**
 * One ServiceNow page record ({record, journal}) → NormalizedItem. Pure.
 *
 * Choices (the contract is silent): status = the state's label; priority = its label
 * ("1 - Critical"); item_type = the category label (labels must stay empty, and the record
 * class is already the project); reporter = caller_id, else opened_by (tables without a
 * caller); closed_at = closed_at, else resolved_at; parent = parent, else parent_incident;
 * url = `{base}/nav_to.do?uri=%2F{class}.do%3Fsys_id%3D{sys_id}` (opens the form inside the
 * navigation frame in UI16 and the Next Experience alike).
 */
import type { ItemComment, NormalizedItem, Person, StatusCategory } from '../connector.js';
import type { Attachment, CustomField, HistoryEntry, ItemCompleteness } from '../item-depth.js';
import { field, snDateToIso, value, type SnRecord } from './fields.js';
import { fieldToMarkdown, journalToMarkdown } from './markdown.js';

/** What the connector read beside the row (depth.ts), already in the item's shape. */
export interface RecordDepth {
  history: HistoryEntry[];
  attachments: Attachment[];
  custom_fields: CustomField[];
  completeness: ItemCompleteness;
}

/** What pages() yields per record: the table row and its journal rows, both as received, and its depth. */
export interface PageRecord {
  record: SnRecord;
  journal: SnRecord[];
  depth?: RecordDepth;
}

export interface NormalizeContext {
  baseUrl: string;
  table: string;
}

/** incident.state values (incident, and tables extending it). */
const INCIDENT_STATES: Record<string, StatusCategory> = {
  '1': 'todo', // New
  '2': 'in_progress', // In Progress
  '3': 'in_progress', // On Hold
  '6': 'done', // Resolved
  '7': 'done', // Closed
  '8': 'done', // Canceled
};

/**
 * Other task tables number their states differently (task: 3 = Closed Complete; problem:
 * 101..107; change_request: -5..4), so outside incident the category comes from the
 * platform's `active` flag (false once a task is closed) and the state label.
 */
export function statusCategory(record: SnRecord, table: string): StatusCategory {
  const cls = value(record, 'sys_class_name') || table;
  const state = field(record, 'state');
  if (cls === 'incident' && INCIDENT_STATES[state.value]) return INCIDENT_STATES[state.value]!;
  if (value(record, 'active') === 'false') return 'done';
  const label = state.display.toLowerCase();
  if (/resolved|closed|cancel|complete|skipped/.test(label)) return 'done';
  if (/^(new|open|draft|pending)\b/.test(label) || label === '') return 'todo';
  return 'in_progress';
}

function person(record: SnRecord, name: string): Person | null {
  const f = field(record, name);
  if (f.value === '') return null;
  return { external_id: f.value, name: f.display && f.display !== f.value ? f.display : null, email: null };
}

function text(record: SnRecord, name: string): string | null {
  const v = field(record, name).display;
  return v === '' ? null : v;
}

export function recordUrl(baseUrl: string, table: string, sysId: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/nav_to.do?uri=${encodeURIComponent(`/${table}.do?sys_id=${sysId}`)}`;
}

export function toComment(entry: SnRecord): ItemComment {
  const author = value(entry, 'sys_created_by');
  return {
    external_id: value(entry, 'sys_id'),
    author: author ? { external_id: author, name: author, email: null } : null,
    body: journalToMarkdown(value(entry, 'value')),
    created_at: snDateToIso(value(entry, 'sys_created_on')),
    internal: value(entry, 'element') === 'work_notes',
  };
}

function asPageRecord(raw: unknown): PageRecord {
  const r = raw as Partial<PageRecord> | null;
  if (!r || typeof r.record !== 'object' || r.record === null) throw new Error('not a ServiceNow page record');
  return { record: r.record, journal: Array.isArray(r.journal) ? r.journal : [], ...(r.depth ? { depth: r.depth } : {}) };
}

export function identify(raw: unknown): { external_id: string; key: string | null } {
  try {
    const { record } = asPageRecord(raw);
    return { external_id: value(record, 'sys_id'), key: value(record, 'number') || null };
  } catch {
    return { external_id: '', key: null };
  }
}

export function normalize(raw: unknown, ctx: NormalizeContext): NormalizedItem {
  const { record, journal, depth } = asPageRecord(raw);
  const sysId = value(record, 'sys_id');
  if (!/^[0-9a-f]{32}$/i.test(sysId)) throw new Error('record has no valid sys_id');
  const cls = value(record, 'sys_class_name') || ctx.table;
  const comments = journal
    .map(toComment)
    .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '') || a.external_id.localeCompare(b.external_id));
  return {
    external_id: sysId,
    key: value(record, 'number') || sysId,
    project: ctx.table,
    title: value(record, 'short_description'),
    description: fieldToMarkdown(value(record, 'description')),
    status: text(record, 'state'),
    status_category: statusCategory(record, ctx.table),
    priority: text(record, 'priority'),
    item_type: text(record, 'category'),
    assignee: person(record, 'assigned_to'),
    reporter: person(record, 'caller_id') ?? person(record, 'opened_by'),
    labels: [],
    url: recordUrl(ctx.baseUrl, cls, sysId),
    parent_external_id: value(record, 'parent') || value(record, 'parent_incident') || null,
    created_at: snDateToIso(value(record, 'opened_at')) ?? snDateToIso(value(record, 'sys_created_on')),
    updated_at: snDateToIso(value(record, 'sys_updated_on')),
    closed_at: snDateToIso(value(record, 'closed_at')) ?? snDateToIso(value(record, 'resolved_at')),
    comments,
    ...(depth ?? {}),
    raw: record,
  };
}
