/**
 * The resume point after a completed page. Three forms, each enough on its own:
 * - `link`: the next-page URL GitLab gave (keyset cursor, or offset without totals);
 * - `offset`: the last completed page number, for offset paging with known totals;
 * - `graphql`: GraphQL's `after` cursor, with the last issue handed out (creation time and id), so
 *   that a resume on a server that no longer answers GraphQL continues over REST from there.
 */
export type GitLabCursor =
  | { v: 1; mode: 'link'; next: string }
  | { v: 1; mode: 'offset'; page: number; per_page: number }
  | { v: 1; mode: 'graphql'; after: string; last: { created_at: string; id: number } };

export function encodeCursor(cursor: GitLabCursor | null): string | null {
  return cursor ? JSON.stringify(cursor) : null;
}

export function decodeCursor(text: string | null): GitLabCursor | null {
  if (text === null) return null;
  const c = JSON.parse(text) as Partial<GitLabCursor>;
  if (c.v === 1 && c.mode === 'link' && typeof c.next === 'string') return c as GitLabCursor;
  if (c.v === 1 && c.mode === 'offset' && Number.isInteger(c.page) && Number.isInteger(c.per_page)) return c as GitLabCursor;
  if (c.v === 1 && c.mode === 'graphql' && typeof c.after === 'string' && typeof c.last?.created_at === 'string' && Number.isInteger(c.last.id)) {
    return c as GitLabCursor;
  }
  throw new Error('not a GitLab cursor');
}
