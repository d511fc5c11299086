/**
 * A test-only connector: yields N generated items in pages of batch_size, with a configurable
 * delay per page and fault hooks. Registered under a real source_type in tests (the jobs core
 * never looks at which connector it drives).
 */
import { Type } from 'typebox';
import { SourceError } from '../../src/errors.js';
import type { Connector, ConnectorContext, ConnectorModule, NormalizedItem, SourcePage } from '../../src/connectors/connector.js';
import { part, skipped, type Attachment } from '../../src/connectors/item-depth.js';
import type { SourceHttp } from '../../src/outbound/types.js';

export interface TestConfig extends Record<string, unknown> {
  base_url: string;
  scope: string;
  count: number;
  delay_ms?: number;
  token?: string;
  /** every item whose index is listed fails to normalize */
  bad_items?: number[];
  /** these fail to normalize and cannot even be identified */
  nameless_items?: number[];
  /** these normalize to an item whose description has this many characters (ITEM_TOO_LARGE tests) */
  huge_items?: number[];
  huge_chars?: number;
  /** the source fails as a whole when this page (0-based) is requested */
  fail_at_page?: number;
  fail_code?: 'SOURCE_UNAVAILABLE' | 'SOURCE_AUTH_FAILED';
  /** the failure's message (default names the page) */
  fail_message?: string;
  /** these normalize fine but carry an updated_at of year 0000, which the database refuses */
  refused_items?: number[];
  /** bumps every item's content (to test updated/unchanged) */
  revision?: number;
  /** items with index < changed_below get `revision + 1` (incremental tests) */
  changed_below?: number;
  /** these items are gone from the source: neither listed nor counted (deletion tests) */
  drop_items?: number[];
  /** count() and page totals say this many more items than the source lists */
  total_offset?: number;
  /** the source declares no total (count() and page totals are null) */
  no_total?: boolean;
  /** added to every item's external_id (two scopes of one source instance with items of their own) */
  id_offset?: number;
  /** attachments listed on items (issue 12), their content read from `attachments_url` + path through the guarded HTTP layer */
  attachments?: TestAttachment[];
  attachments_url?: string;
}

export interface TestAttachment {
  /** index of the item that lists it */
  item: number;
  id: string;
  name: string;
  /** declared size (absent: the source declares none) */
  size?: number;
  media_type?: string;
  /** appended to attachments_url */
  path: string;
}

/** Pages fetched by any test connector in this process, for "no refetch" assertions. */
export const fetchedPages: { scope: string; page: number }[] = [];

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(t), reject(signal.reason));
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

function item(cfg: TestConfig, i: number): NormalizedItem & { index: number } {
  const rev = (cfg.revision ?? 0) + (cfg.changed_below !== undefined && i < cfg.changed_below ? 1 : 0);
  const updated = new Date(Date.UTC(2024, 0, 1) + i * 60_000 + rev * 86_400_000).toISOString();
  return {
    index: i, external_id: String(100000 + (cfg.id_offset ?? 0) + i), key: `T-${i}`, project: cfg.scope, title: `Item ${i} rev ${rev}`,
    description: `Body of ${i}`, status: 'Open', status_category: 'todo', priority: null, item_type: 'task',
    assignee: null, reporter: { external_id: 'u1', name: 'User One', email: null }, labels: ['x'], url: `${cfg.base_url}/i/${i}`,
    parent_external_id: null, created_at: '2024-01-01T00:00:00.000Z', updated_at: updated, closed_at: null,
    comments: [{ external_id: `c${i}`, author: null, body: `comment ${i}`, created_at: updated, internal: false }], raw: { i, rev },
    ...attachmentsOf(cfg, i),
  };
}

/** Only items that list attachments carry them (and a completeness), so other tests' items stay as they were. */
function attachmentsOf(cfg: TestConfig, i: number): Pick<NormalizedItem, 'attachments' | 'completeness'> {
  const listed = (cfg.attachments ?? []).filter((a) => a.item === i);
  if (listed.length === 0) return {};
  const attachments: Attachment[] = listed.map((a) => ({
    external_id: a.id, name: a.name, size: a.size ?? null, media_type: a.media_type ?? null, author: null,
    created_at: '2024-01-01T00:00:00.000Z', source_url: `${cfg.attachments_url}${a.path}`, content: null,
  }));
  return { attachments, completeness: { comments: part(1, 1), history: skipped('not read by the test source'), attachments: part(listed.length, listed.length) } };
}

export function createTestConnector(cfg: TestConfig, ctx?: ConnectorContext): Connector {
  let http: SourceHttp | null = null;
  const pageOf = (cursor: string | null) => (cursor === null ? 0 : Number(JSON.parse(cursor).next));
  return {
    async count() {
      return cfg.no_total ? null : cfg.count - (cfg.drop_items?.length ?? 0) + (cfg.total_offset ?? 0);
    },
    async *pages({ cursor, batchSize, signal, since }): AsyncIterable<SourcePage> {
      const all = Array.from({ length: cfg.count }, (_, i) => item(cfg, i))
        .filter((it) => !cfg.drop_items?.includes(it.index))
        .filter((it) => !since || Date.parse(it.updated_at!) >= since.getTime());
      const total = cfg.no_total ? null : all.length + (cfg.total_offset ?? 0);
      for (let page = pageOf(cursor); page * batchSize < all.length; page++) {
        if (cfg.delay_ms) await sleep(cfg.delay_ms, signal);
        if (signal.aborted) throw signal.reason;
        if (page === cfg.fail_at_page) throw new SourceError(cfg.fail_code ?? 'SOURCE_UNAVAILABLE', cfg.fail_message ?? `Test source failed at page ${page}`);
        fetchedPages.push({ scope: cfg.scope, page });
        const records = all.slice(page * batchSize, (page + 1) * batchSize);
        const last = (page + 1) * batchSize >= all.length;
        // This source knows every record: nothing updated before the oldest record still to come is left.
        let oldest: string | null = null;
        for (const it of all.slice((page + 1) * batchSize)) if (oldest === null || it.updated_at! < oldest) oldest = it.updated_at!;
        yield { records, cursor: last ? null : JSON.stringify({ next: page + 1 }), total, settledBefore: oldest };
      }
    },
    normalize(raw) {
      const it = raw as NormalizedItem & { index: number };
      if (cfg.bad_items?.includes(it.index) || cfg.nameless_items?.includes(it.index)) throw new Error(`item ${it.index} has no title`);
      const { index: _index, ...normalized } = it;
      if (cfg.huge_items?.includes(it.index)) normalized.description = 'ü'.repeat(cfg.huge_chars ?? 0);
      if (cfg.refused_items?.includes(it.index)) normalized.updated_at = '0000-01-01T00:00:00.000Z';
      return normalized;
    },
    identify(raw) {
      const it = raw as NormalizedItem & { index: number };
      if (cfg.nameless_items?.includes(it.index)) throw new Error('no id');
      return { external_id: it.external_id, key: it.key };
    },
    ...(ctx && cfg.attachments_url ? {
      async attachmentContent(att: Attachment, { signal, maxBytes }: { signal: AbortSignal; maxBytes: number }) {
        http ??= ctx.http({ source: 'Test', baseUrl: cfg.attachments_url!, headers: cfg.token ? { authorization: `Bearer ${cfg.token}` } : {} });
        const res = await http.get<Buffer>(att.source_url!, { responseType: 'bytes', maxBytes, signal });
        return { bytes: res.body, media_type: res.headers['content-type'] ?? null };
      },
    } : {}),
  };
}

export const testConnectorModule: ConnectorModule<TestConfig> = {
  sourceType: 'github',
  configSchema: Type.Object({ base_url: Type.String(), scope: Type.String(), count: Type.Integer() }, { additionalProperties: true }),
  secretFields: ['token'],
  describe: (cfg) => ({ base_url: cfg.base_url, scope: cfg.scope, project: cfg.scope }),
  create: (cfg, ctx) => createTestConnector(cfg, ctx),
};

export const testConnectors = {
  jira: testConnectorModule, servicenow: testConnectorModule, github: testConnectorModule, gitlab: testConnectorModule,
} as unknown as Record<'jira' | 'servicenow' | 'github' | 'gitlab', ConnectorModule>;
