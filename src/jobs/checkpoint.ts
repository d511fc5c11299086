/** What a progress save carries besides the counts, so a re-delivered job resumes where it was. */
export interface Checkpoint {
  /** the connector's cursor after the last stored page (null = from the start) */
  cursor: string | null;
  /** newest source updated_at seen so far: the next incremental import starts there */
  maxUpdatedAt: string | null;
  /** the lower bound this run uses, kept so a resumed run asks the source the same question */
  since: string | null;
  /** the last page is stored: a resumed run only finishes (cursor null would mean "from the start") */
  done?: boolean;
  /** attachment bytes this job downloaded so far: the per-job cap holds across resumes */
  attachmentBytes?: number;
}

export function parseCheckpoint(raw: string | null): Checkpoint | null {
  if (!raw) return null;
  const value = JSON.parse(raw) as Partial<Checkpoint>;
  return { cursor: value.cursor ?? null, maxUpdatedAt: value.maxUpdatedAt ?? null, since: value.since ?? null, done: value.done === true, attachmentBytes: value.attachmentBytes ?? 0 };
}
