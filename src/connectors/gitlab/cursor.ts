/**
 * The resume point after a completed page. Two forms, each enough on its own:
 * - `link`: the next-page URL GitLab gave (keyset cursor, or offset without totals);
 * - `offset`: the last completed page number, for offset paging with known totals.
 */
export type GitLabCursor =
  | { v: 1; mode: 'link'; next: string }
  | { v: 1; mode: 'offset'; page: number; per_page: number };

export function encodeCursor(cursor: GitLabCursor | null): string | null {
  return cursor ? JSON.stringify(cursor) : null;
}

export function decodeCursor(text: string | null): GitLabCursor | null {
  if (text === null) return null;
  const c = JSON.parse(text) as Partial<GitLabCursor>;
  if (c.v === 1 && c.mode === 'link' && typeof c.next === 'string') return c as GitLabCursor;
  if (c.v === 1 && c.mode === 'offset' && Number.isInteger(c.page) && Number.isInteger(c.per_page)) return c as GitLabCursor;
  throw new Error('not a GitLab cursor');
}
