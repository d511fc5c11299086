/**
 * What an item carries beyond its core fields (issue 12): its history, its attachments, its custom
 * fields, and whether each list is complete. Connectors fill these; the store keeps them as they are.
 */
import type { Person } from './connector.js';

/** One change of one field, oldest first on the item. Values are the source's display text. */
export interface HistoryEntry {
  /** ISO-8601 UTC with Z */
  at: string | null;
  actor: Person | null;
  /** the source's field name as a person reads it: "status", "labels", "assignee", "Story Points" */
  field: string;
  from: string | null;
  to: string | null;
}

/** Where downloaded content lives (options.download_attachments). */
export interface AttachmentContent {
  /** key in the blob store (BLOB_DIR or the S3 bucket) */
  blob_key: string;
  /** bytes stored, checked against the source's declared size */
  size: number;
  /** hex SHA-256 of the stored bytes */
  sha256: string;
}

export interface Attachment {
  /** the source's id, or its URL's path when the source gives none (GitHub/GitLab uploads in Markdown) */
  external_id: string;
  name: string;
  size: number | null;
  media_type: string | null;
  author: Person | null;
  created_at: string | null;
  /** where the content is read from; never carries a credential (no token in the query, no user:pass) */
  source_url: string | null;
  /** set once downloaded and checked; null when not downloaded */
  content: AttachmentContent | null;
}

/** A source field outside the normalized ones, typed and named as the source shows it. */
export interface CustomField {
  /** the source's field id: "customfield_10016", "u_severity", "weight", an issue-field node id */
  id: string;
  /** display name: "Story Points", "Severity" */
  name: string;
  /** number | string | text | date | datetime | boolean | option | options | user | users | object */
  type: string;
  value: unknown;
}

export const MAPPED_FIELDS = ['story_points', 'due_date', 'sprint', 'severity'] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];
/** Normalized fields filled from custom fields by options.field_map (or the connector's defaults). */
export type MappedFields = { story_points: number | null; due_date: string | null; sprint: string | null; severity: string | null };

/**
 * `complete`: every entry the source has was fetched (checked against its own total where it gives one).
 * `partial`: some are missing, `reason` says why. `skipped`: not requested (include_comments: false,
 * include_history: false) or not offered by the source.
 */
export interface PartCompleteness {
  state: 'complete' | 'partial' | 'skipped';
  reason: string | null;
  /** entries fetched, and the source's total when it tells one */
  fetched: number;
  total: number | null;
}

export interface ItemCompleteness {
  comments: PartCompleteness;
  history: PartCompleteness;
  attachments: PartCompleteness;
}

/** complete when the source's total (if any) is met, else partial naming what is missing. */
export function part(fetched: number, total: number | null, partialReason?: string | null): PartCompleteness {
  if (partialReason) return { state: 'partial', reason: partialReason, fetched, total };
  if (total !== null && fetched < total) return { state: 'partial', reason: `${fetched} of ${total} fetched`, fetched, total };
  return { state: 'complete', reason: null, fetched, total };
}

export function skipped(reason: string): PartCompleteness {
  return { state: 'skipped', reason, fetched: 0, total: null };
}

/** true when any part is partial (skipped parts were not asked for, so they do not count). */
export function isPartial(c: ItemCompleteness | null | undefined): boolean {
  return !!c && (c.comments.state === 'partial' || c.history.state === 'partial' || c.attachments.state === 'partial');
}
