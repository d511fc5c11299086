/**
 * SourcePage.settledBefore for a source listing in creation order: an item is never updated before
 * it was created, so once a page is stored every item in scope updated before its last creation
 * time has been delivered (the unfetched ones were created, hence updated, at or after it).
 */
export function settledByCreation(createdAts: readonly (string | null | undefined)[]): string | null {
  for (let i = createdAts.length - 1; i >= 0; i--) {
    const t = Date.parse(createdAts[i] ?? '');
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return null;
}
