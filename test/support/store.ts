/**
 * Item stores for tests, each isolated: PGlite in its own temp directory, or a fresh schema in the
 * real PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). cleanup()
 * closes the store and removes the directory or drops the schema.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedItem } from '../../src/connectors/connector.js';
import type { Db } from '../../src/store/db.js';
import { openItemStore, type SqlItemStore } from '../../src/store/work-items.js';

export interface TestStore {
  store: SqlItemStore;
  db: Db;
  cleanup(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function withPglite(): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'is-store-'));
  const store = await openItemStore({ dataDir });
  return {
    store,
    db: store.db,
    async cleanup() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function withPostgresSchema(): Promise<TestStore> {
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  const store = await openItemStore({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir(), schema });
  return {
    store,
    db: store.db,
    async cleanup() {
      try {
        await store.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await store.close();
      }
    },
  };
}

/** A valid normalized item; `n` makes the ids and keys distinct. */
export function sampleItem(n: number, overrides: Partial<NormalizedItem> = {}): NormalizedItem {
  return {
    external_id: String(10000 + n),
    key: `TEST-${n}`,
    project: 'TEST',
    title: `Item ${n}`,
    description: `Description of item ${n}`,
    status: 'To Do',
    status_category: 'todo',
    priority: 'Medium',
    item_type: 'Task',
    assignee: { external_id: 'u1', name: 'Ada', email: 'ada@example.com' },
    reporter: null,
    labels: ['a', 'b'],
    url: `https://acme.atlassian.net/browse/TEST-${n}`,
    parent_external_id: null,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: new Date(Date.UTC(2024, 0, 2) + n * 1000).toISOString(),
    closed_at: null,
    comments: [],
    raw: { id: String(10000 + n), fields: { summary: `Item ${n}` } },
    ...overrides,
  };
}
