/**
 * Where a keyset scan (scan.ts) stands: where the next page starts (keyset key + offset) and how
 * many records were delivered before it (for the running and the declared total). It is the
 * page walker's cursor, and after each page of records the resume point handed to the job runner
 * as JSON text; a foreign or damaged cursor is refused rather than guessed at, since restarting
 * silently would re-deliver finished pages.
 */
import type { Key } from './query.js';

export interface ScanState {
  after: Key | null;
  offset: number;
}

export interface CursorData {
  state: ScanState;
  delivered: number;
}

export function startCursor(): CursorData {
  return { state: { after: null, offset: 0 }, delivered: 0 };
}

export function encodeCursor(data: CursorData): string {
  return JSON.stringify({ v: 1, after: data.state.after, offset: data.state.offset, delivered: data.delivered });
}

function isKey(v: unknown): v is Key {
  return Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'string' && s !== '');
}

const natural = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function decodeCursor(cursor: string | null): CursorData {
  if (cursor === null) return startCursor();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(cursor) as Record<string, unknown>;
  } catch {
    throw new Error('invalid ServiceNow cursor');
  }
  const { v, after, offset, delivered } = parsed ?? {};
  if (v !== 1 || !(after === null || isKey(after)) || !natural(offset) || !natural(delivered)) {
    throw new Error('invalid ServiceNow cursor');
  }
  return { state: { after, offset }, delivered };
}
