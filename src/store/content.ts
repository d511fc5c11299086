/**
 * Prepares normalized items for the single upsert statement: checks each one (a bad item fails
 * alone instead of failing the whole batch's SQL), cleans text PostgreSQL cannot hold, and
 * computes the content hash that decides created / updated / unchanged.
 */
import { createHash } from 'node:crypto';
import type { NormalizedItem } from '../connectors/connector.js';
import type { ItemFailure } from '../items/types.js';
import { isPartial } from '../connectors/item-depth.js';

const STATUS_CATEGORIES = new Set(['todo', 'in_progress', 'done']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Any character cleanText may have to touch: nearly every string has none and is returned as is. */
const SUSPECT = /[\0\uD800-\uDFFF]/;

/** PostgreSQL text and jsonb refuse NUL and unpaired surrogates; drop NULs, replace the rest with U+FFFD. */
export function cleanText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replaceAll('\0', '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Deep copy with every string (keys included) made storable. */
function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[cleanText(k)] = cleanValue(v);
    return out;
  }
  return value === undefined ? null : value;
}

/** JSON with object keys sorted at every depth, so equal content always hashes equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * sha256 of every normalized field except `raw`: raw records carry volatile bits (reaction
 * counts, ETags, self links) that would turn every re-import into an "update" of the same item.
 */
export function contentHash(item: NormalizedItem): string {
  const { raw: _raw, ...content } = item;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * Deeper values fail alone. Real records nest a few dozen levels; far deeper ones would overflow the
 * stack of this process (about 4,000 levels) or the database's (max_stack_depth) before any answer.
 */
export const MAX_NESTING = 512;

/** Nesting depth of a JSON value, walked without recursion (the value may be deeper than the stack). */
function depthOver(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const el of Array.isArray(v) ? v : Object.values(v)) pending.push([el, depth + 1]);
  }
  return false;
}

/**
 * A failure is logged under its external_id, and the log's primary key (a btree) refuses entries
 * over ~2.7 kB: a longer id is kept as its start and a hash of the whole, the same on every run.
 */
export const MAX_LOGGED_ID_BYTES = 1024;

export function loggableId(id: string): string {
  if (Buffer.byteLength(id, 'utf8') <= MAX_LOGGED_ID_BYTES) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${Array.from(id).slice(0, 200).join('')}…sha256:${hash}`;
}

/** Returns why the item cannot be stored, or null when it can. */
function checkItem(item: NormalizedItem): string | null {
  if (typeof item.external_id !== 'string' || item.external_id === '') return 'external_id is missing';
  for (const field of ['key', 'project', 'title'] as const) {
    if (typeof item[field] !== 'string') return `${field} is not a string`;
  }
  if (!STATUS_CATEGORIES.has(item.status_category)) return `status_category "${String(item.status_category)}" is not todo|in_progress|done`;
  if (!Array.isArray(item.labels) || !item.labels.every((l) => typeof l === 'string')) return 'labels is not a list of strings';
  if (!Array.isArray(item.comments)) return 'comments is not a list';
  for (const field of ['created_at', 'updated_at', 'closed_at'] as const) {
    const value = item[field];
    if (value !== null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      return `${field} is not an ISO-8601 time`;
    }
  }
  return null;
}

/** One row of the upsert's jsonb_to_recordset input. */
export interface ItemRow extends Omit<NormalizedItem, 'raw' | 'fields' | 'completeness'> {
  fields: NormalizedItem['fields'] | null;
  completeness: NormalizedItem['completeness'] | null;
  ord: number;
  /** some of its comments, history or attachments are missing (job_items.partial) */
  partial: boolean;
  raw: unknown;
  content_hash: string;
}

export interface PreparedBatch {
  rows: ItemRow[];
  failures: (ItemFailure & { ord: number })[];
}

/**
 * Dedupes by external_id (the last delivery wins, reported once), turns items that fail checkItem
 * into failures, and drops a reported failure when the same batch also stores that item.
 */
export function prepareBatch(items: NormalizedItem[], failures: ItemFailure[]): PreparedBatch {
  const good = new Map<string, NormalizedItem>();
  const bad = new Map<string, ItemFailure>();
  for (const f of failures) bad.set(cleanText(String(f.external_id)), f);
  for (const raw of items) {
    if (depthOver(raw, MAX_NESTING)) {
      const id = typeof raw.external_id === 'string' ? cleanText(raw.external_id) : '';
      good.delete(id);
      bad.set(id, { external_id: id, key: typeof raw.key === 'string' ? cleanText(raw.key) : null, error: `the item is nested more than ${MAX_NESTING} levels deep` });
      continue;
    }
    const item = cleanValue(raw) as NormalizedItem;
    const problem = checkItem(item);
    const id = typeof item.external_id === 'string' ? item.external_id : '';
    if (problem) {
      good.delete(id);
      bad.set(id, { external_id: id, key: typeof item.key === 'string' ? item.key : null, error: problem });
    } else {
      bad.delete(id);
      good.set(id, item);
    }
  }
  let ord = 0;
  const rows = [...good.values()].map((item) => ({
    ...item,
    // Date.parse accepts forms PostgreSQL may not: hand it one unambiguous spelling.
    created_at: isoOrNull(item.created_at),
    updated_at: isoOrNull(item.updated_at),
    closed_at: isoOrNull(item.closed_at),
    history: item.history ?? [],
    attachments: item.attachments ?? [],
    custom_fields: item.custom_fields ?? [],
    fields: item.fields ?? null,
    completeness: item.completeness ?? null,
    partial: isPartial(item.completeness),
    ord: ord++,
    content_hash: contentHash(item),
  }));
  const failed = [...bad.entries()].map(([id, f]) => ({
    external_id: loggableId(id),
    key: f.key === null ? null : cleanText(f.key),
    error: cleanText(f.error),
    ord: ord++,
  }));
  return { rows, failures: failed };
}

const isoOrNull = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());
