/** GitHub lists issues by creation time, so each page promises how far the watermark may move (SourcePage.settledBefore). */
import { afterEach, describe, expect, it } from 'vitest';
import { closeFakes, connectorFor, drain, startFake } from './helpers.js';

afterEach(closeFakes);

describe('GitHub settledBefore', () => {
  it("is the creation time of each page's last listed entry, and no later page holds an item updated before it", async () => {
    const fake = await startFake({ issues: 350 });
    const connector = connectorFor(fake);
    const { pages } = await drain(connector, { batchSize: 100, includeComments: false });
    expect(pages.length).toBeGreaterThan(2);
    for (const [i, page] of pages.entries()) {
      const items = page.records.map((r) => connector.normalize(r));
      // the listing's last entry, which may be a pull request left out of the page
      expect(Date.parse(page.settledBefore!)).toBeGreaterThanOrEqual(Date.parse(items.at(-1)!.created_at!));
      for (const later of pages.slice(i + 1).flatMap((p) => p.records.map((r) => connector.normalize(r)))) {
        expect(Date.parse(later.updated_at!)).toBeGreaterThanOrEqual(Date.parse(page.settledBefore!));
      }
    }
  });
});
