/**
 * The resume point after a page, as JSON text.
 *
 * - `scope`: the frozen scope JQL, so a resumed job asks the same question. The incremental bound is
 *   not in it: it is rebuilt from the job's fixed `since` at every search (see jql.ts).
 * - `after`: id of the last issue delivered; the keyset (`id > after`) restart point.
 * - Cloud only: `token` (nextPageToken), the exact `tokenJql` it belongs to, and `tokenAt`.
 *   Jira says tokens expire after 7 days; an older token is not even tried.
 * - `n`: issues delivered so far, so totals stay exact across a resume.
 */
import { AppError } from '../../errors.js';

export interface JiraCursor {
  scope: string;
  after: string | null;
  token: string | null;
  tokenJql: string | null;
  tokenAt: number | null;
  n: number;
}

export const TOKEN_TTL_MS = 7 * 24 * 3600_000 - 3600_000; // an hour short of Jira's 7 days

export function encodeCursor(c: JiraCursor): string {
  return JSON.stringify({ v: 2, ...c });
}

export function decodeCursor(text: string): JiraCursor {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AppError('INTERNAL_ERROR', 'Jira resume cursor is not valid JSON');
  }
  const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
  const ok =
    c.v === 2 && typeof c.scope === 'string' && strOrNull(c.after) && strOrNull(c.token) && strOrNull(c.tokenJql) &&
    (c.tokenAt === null || typeof c.tokenAt === 'number') && typeof c.n === 'number' &&
    (c.after === null || /^\d+$/.test(c.after));
  if (!ok) throw new AppError('INTERNAL_ERROR', 'Jira resume cursor has an unexpected shape');
  return c as unknown as JiraCursor;
}
