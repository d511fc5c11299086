import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { TEST_DATABASE_URL, withPglite } from '../support/store.js';

const latest = MIGRATIONS.map((m) => m.id);

async function appliedIds(db: Db): Promise<number[]> {
  return (await db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map((r) => r.id);
}

describe('migrations on PostgreSQL', () => {
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  const dbs: Db[] = [];
  const open = async (): Promise<Db> => {
    const db = await openDb({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir(), schema });
    dbs.push(db);
    return db;
  };
  afterAll(async () => {
    await dbs[0]?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await Promise.all(dbs.map((db) => db.close()));
  });

  test('four processes migrating at once apply each migration exactly once', async () => {
    const runners = await Promise.all([open(), open(), open(), open()]);
    const results = await Promise.all(runners.map((db) => migrate(db)));
    expect(results.filter((ids) => ids.length > 0)).toEqual([latest]);
    expect(await appliedIds(runners[0]!)).toEqual(latest);
  });

  test('running again is a no-op and the tables live only in the given schema', async () => {
    const db = await open();
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ table_schema: string }>(
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'work_items' AND table_schema = $1`,
      [schema],
    );
    expect(rows).toEqual([{ table_schema: schema }]);
  });

  test('a failing migration rolls back entirely and is not recorded', async () => {
    const db = await open();
    const broken = [...MIGRATIONS, { id: 999, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT 1/0;' }];
    await expect(migrate(db, broken)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await appliedIds(db)).toEqual(latest);
    const { rows } = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'`, [schema]);
    expect(rows).toEqual([]);
  });
});

describe('migrations on PGlite', () => {
  test('idempotent, and concurrent calls in one process apply once', async () => {
    const t = await withPglite(); // already migrated once by openItemStore
    try {
      expect(await appliedIds(t.db)).toEqual(latest);
      const results = await Promise.all([migrate(t.db), migrate(t.db)]);
      expect(results).toEqual([[], []]);
      expect(await appliedIds(t.db)).toEqual(latest);
    } finally {
      await t.cleanup();
    }
  }, 120_000);
});
