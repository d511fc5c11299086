/**
 * Item stores for tests, each isolated: PGlite in its own temp directory, or a fresh schema in the
 * real PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). cleanup()
 * closes the store and removes the directory or drops the schema.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { NormalizedItem } from '../../src/connectors/connector.js';
import type { Db } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openItemStore, type SqlItemStore } from '../../src/store/work-items.js';

export interface TestStore {
  store: SqlItemStore;
  db: Db;
  cleanup(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh PGlite directory takes seconds of initdb (tens under load); copying a migrated template
 * takes milliseconds. The template is built once per PGlite version and migration set and shared
 * by all test files; a lock file makes the others wait instead of all running initdb at once.
 */
async function pgliteTemplate(): Promise<string> {
  const pglite = readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url));
  const key = createHash('sha256').update(pglite).update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 16);
  const template = join(tmpdir(), `is-pglite-template-${key}`);
  const lock = `${template}.lock`;
  while (!existsSync(template)) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
    } catch {
      const since = Date.now() - ((await stat(lock).catch(() => null))?.mtimeMs ?? 0);
      if (since > 120_000) await rm(lock, { force: true }); // its builder died
      await sleep(250);
      continue;
    }
    try {
      if (existsSync(template)) break; // finished by another file between our check and our lock
      const building = await mkdtemp(join(tmpdir(), 'is-pglite-build-'));
      await (await openItemStore({ dataDir: building })).close();
      await rename(building, template); // atomic: the template exists only once complete
    } finally {
      await rm(lock, { force: true });
    }
  }
  return template;
}

/** Puts an already migrated embedded database into `dataDir` (as `${dataDir}/pglite`), for DATA_DIR. */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  await cp(await pgliteTemplate(), dataDir, { recursive: true });
}

export async function withPglite(): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'is-store-'));
  await seedPgliteDataDir(dataDir);
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

/** For describe.each: run the same tests against both backends. */
export const STORE_BACKENDS = [
  ['pglite', withPglite],
  ['postgres', withPostgresSchema],
] as const;
