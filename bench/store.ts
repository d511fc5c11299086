/**
 * Item store upsert throughput, PGlite vs PostgreSQL side by side: 10,000 items in batches of 100,
 * first as new items (created), then the same again (unchanged), then with every title edited
 * (updated). PostgreSQL is TEST_DATABASE_URL or the local test database, in a throwaway schema.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedItem } from '../src/connectors/connector.js';
import { openItemStore, type SqlItemStore } from '../src/store/work-items.js';

const ITEMS = 10_000;
const BATCH = 100;
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function item(n: number, title: string): NormalizedItem {
  return {
    external_id: String(n), key: `BENCH-${n}`, project: 'BENCH', title,
    description: `Item ${n}: ${'lorem ipsum dolor sit amet '.repeat(20)}`,
    status: 'Open', status_category: 'todo', priority: 'High', item_type: 'Bug',
    assignee: { external_id: 'u1', name: 'Ada', email: null }, reporter: null, labels: ['bench'],
    url: `https://bench.example/${n}`, parent_external_id: null,
    created_at: '2024-01-01T00:00:00.000Z', updated_at: new Date(Date.UTC(2024, 1, 1) + n).toISOString(),
    closed_at: null,
    comments: [{ external_id: `c${n}`, author: null, body: 'a comment', created_at: null, internal: false }],
    raw: { id: n, fields: { summary: title } },
  };
}

/** items/s for one pass over all items. */
async function pass(store: SqlItemStore, title: (n: number) => string): Promise<number> {
  const ctx = { tenantId: null, sourceType: 'jira' as const, sourceInstance: 'bench.example', jobId: randomUUID(), batchNo: 1 };
  const started = performance.now();
  for (let i = 0; i < ITEMS; i += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, k) => item(i + k, title(i + k)));
    await store.upsertBatch(ctx, batch, []);
  }
  return ITEMS / ((performance.now() - started) / 1000);
}

async function measure(store: SqlItemStore): Promise<number[]> {
  return [
    await pass(store, (n) => `Item ${n}`),
    await pass(store, (n) => `Item ${n}`),
    await pass(store, (n) => `Item ${n} (edited)`),
  ];
}

export async function run(print: (line: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
  const schema = `bench_${randomUUID().replaceAll('-', '')}`;
  let pglite: number[];
  let postgres: number[];
  const lite = await openItemStore({ dataDir: dir });
  try {
    pglite = await measure(lite);
  } finally {
    await lite.close();
    await rm(dir, { recursive: true, force: true });
  }
  const pg = await openItemStore({ databaseUrl: DATABASE_URL, dataDir: dir, schema });
  try {
    postgres = await measure(pg);
  } finally {
    await pg.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg.close();
  }
  print(`store upsert, ${ITEMS} items in batches of ${BATCH} (items/s)`);
  print('  pass         PGlite   PostgreSQL   PG/PGlite');
  ['created', 'unchanged', 'updated'].forEach((name, i) => {
    const [a, b] = [pglite[i] ?? 0, postgres[i] ?? 0];
    print(`  ${name.padEnd(10)} ${a.toFixed(0).padStart(8)} ${b.toFixed(0).padStart(12)} ${(b / a).toFixed(2).padStart(11)}x`);
  });
}
