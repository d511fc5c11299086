/** GitLab lists issues by creation time, so each page promises how far the watermark may move (SourcePage.settledBefore). */
import { afterEach, describe, expect, it } from 'vitest';
import type { GitLabFake } from '../../../src/sandbox/fakes/gitlab.js';
import { collect, connectorFor, startFake } from './helpers.js';

let fake: GitLabFake;
afterEach(() => fake?.close());

describe('GitLab settledBefore', () => {
  it("is each page's last creation time, and no later page holds an item updated before it", async () => {
    fake = await startFake();
    fake.project.seed(250);
    const { connector } = connectorFor(fake);
    const { pages } = await collect(connector, { includeComments: false });
    expect(pages.length).toBe(3);
    for (const [i, page] of pages.entries()) {
      const items = page.records.map((r) => connector.normalize(r));
      expect(page.settledBefore).toBe(items.at(-1)!.created_at);
      for (const later of pages.slice(i + 1).flatMap((p) => p.records.map((r) => connector.normalize(r)))) {
        expect(Date.parse(later.updated_at!)).toBeGreaterThanOrEqual(Date.parse(page.settledBefore!));
      }
    }
  });
});
