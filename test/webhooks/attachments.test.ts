/**
 * A webhook-driven update of one item of a sync with download_attachments (issue 12): the item keeps
 * its content (reused from the blob store, no download) instead of being stored with content null.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { processDelivery } from '../../src/webhooks/process.js';
import { createSourceHttpFactory } from '../../src/outbound/http.js';
import { LocalBlobStore } from '../../src/blobs/local.js';
import type { ConnectorModule, NormalizedItem, SourceType } from '../../src/connectors/connector.js';
import type { SyncRow } from '../../src/syncs/types.js';
import { createTestConnector, testConnectorModule, type TestConfig } from '../support/test-connector.js';
import { TEST_POLICY } from '../support/policy.js';

let server: Server;
let dir: string;
const hits: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('0123456789');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  dir = await mkdtemp(join(tmpdir(), 'is-wh-att-'));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

/** The test connector with a fetchOne that reads the item by external_id from its pages. */
const module: ConnectorModule<TestConfig> = {
  ...testConnectorModule,
  create: (cfg, ctx) => {
    const c = createTestConnector(cfg, ctx);
    c.fetchOne = async (ref, { signal }) => {
      for await (const page of c.pages({ cursor: null, since: null, batchSize: 100, includeComments: true, signal })) {
        const record = page.records.find((r) => (r as NormalizedItem).external_id === ref);
        if (record) return { kind: 'found', record };
      }
      return { kind: 'gone' };
    };
    return c;
  },
};

describe('webhook delivery with download_attachments', () => {
  it('downloads new content once, then reuses it: the item is never stored without its content', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = { base_url: 'https://example.com', scope: 'S', count: 2, attachments_url: url, attachments: [{ item: 1, id: 'a1', name: 'a.txt', size: 10, path: '/a?token=zzz' }] };
    const sync = { sync_id: randomUUID(), tenant_id: 'acme', status: 'active', source_type: 'github', source_instance: 'example.com', scope: 'S', config, options: { download_attachments: true }, sealed_credentials: '' } as unknown as SyncRow;
    const stored: NormalizedItem[] = [];
    const deps = {
      syncs: { get: async () => sync },
      connectors: { github: module } as unknown as Record<SourceType, ConnectorModule>,
      http: createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY }),
      store: {
        upsertBatch: async (_ctx: unknown, items: NormalizedItem[]) => {
          stored.push(...items);
          return items.map((i) => ({ external_id: i.external_id, key: i.key, item_id: randomUUID(), action: 'updated' as const, error: null, countable: true, partial: false }));
        },
        markItemDeleted: async () => [],
      },
      credentialsKey: Buffer.alloc(32),
      policy: TEST_POLICY,
      attachments: { blobs: await LocalBlobStore.open(dir), policy: TEST_POLICY.attachments },
    };
    const deliver = () => processDelivery(deps, { sync_id: sync.sync_id, ref: '100001', deleted: false, run_id: randomUUID() } as never, new AbortController().signal, pino({ level: 'silent' }), []);
    expect(await deliver()).toMatchObject({ kind: 'stored' });
    expect(await deliver()).toMatchObject({ kind: 'stored' });
    expect(hits).toEqual(['/a?token=zzz']);
    const [first, second] = stored.map((i) => i.attachments![0]!);
    expect(first!.content).toMatchObject({ size: 10 });
    expect(second!.content).toEqual(first!.content);
    expect(second!.source_url).toBe(`${url}/a`);

    const off = { ...sync, options: {} } as SyncRow;
    deps.syncs.get = async () => off;
    await deliver();
    expect(hits).toHaveLength(1);
    expect(stored[2]!.attachments![0]!.content).toBeNull();
  });
});
