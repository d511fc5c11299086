import { describe, expect, it } from 'vitest';
import { MAX_ITEM_BYTES, normalizePage } from '../../src/jobs/normalize-page.js';
import { createTestConnector } from '../support/test-connector.js';

async function firstPage(connector: ReturnType<typeof createTestConnector>) {
  for await (const page of connector.pages({ cursor: null, since: null, batchSize: 10, includeComments: true, signal: new AbortController().signal })) return page.records;
  throw new Error('no page');
}

describe('normalizePage', () => {
  it('fails an item over 5 MiB alone, naming its size; an item at the limit passes', async () => {
    const base = { base_url: 'https://example.com', scope: 's', count: 3 };
    const probe = createTestConnector(base);
    const records = await firstPage(probe);
    const plain = Buffer.byteLength(JSON.stringify(probe.normalize(records[1]!)));
    // the description 'Body of 1' becomes n × 'ü' (2 bytes each): the item's JSON is plain - 9 + 2n bytes
    const sizeWith = (n: number) => plain - 'Body of 1'.length + 2 * n;
    const fitting = Math.floor((MAX_ITEM_BYTES - sizeWith(0)) / 2);
    const page = (n: number) => normalizePage(createTestConnector({ ...base, huge_items: [1], huge_chars: n }), records, 1);
    const fits = await page(fitting);
    expect(fits.failures).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(fits.items[1]))).toBe(sizeWith(fitting));
    expect(sizeWith(fitting)).toBeGreaterThanOrEqual(MAX_ITEM_BYTES - 1);
    const over = await page(fitting + 1);
    expect(over.items.map((i) => i.key)).toEqual(['T-0', 'T-2']);
    expect(over.failures).toEqual([{ external_id: '100001', key: 'T-1', error: `ITEM_TOO_LARGE: the normalized item is ${sizeWith(fitting + 1)} bytes, over the limit of ${MAX_ITEM_BYTES} (5 MiB)` }]);
  });

  it('gives each record that cannot be identified its own id', async () => {
    const connector = createTestConnector({ base_url: 'https://example.com', scope: 's', count: 5, nameless_items: [0, 3], bad_items: [4] });
    const { items, failures } = await normalizePage(connector, await firstPage(connector), 7);
    expect(items).toHaveLength(2);
    expect(failures.map((f) => [f.external_id, f.key])).toEqual([['unknown:7:0', null], ['unknown:7:3', null], ['100004', 'T-4']]);
    // a connector that answers with an empty id instead of throwing (Jira, ServiceNow, GitHub, GitLab do)
    const blank = { ...connector, identify: () => ({ external_id: '', key: 'K' }) };
    expect((await normalizePage(blank, await firstPage(connector), 2)).failures.map((f) => [f.external_id, f.key])).toEqual([
      ['unknown:2:0', 'K'], ['unknown:2:3', 'K'], ['unknown:2:4', 'K'],
    ]);
  });
});
