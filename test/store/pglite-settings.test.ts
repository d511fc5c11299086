/**
 * The embedded database starts with the policy's PostgreSQL settings (shared_buffers is most of
 * its memory), and a new data directory starts as a copy of the built template, never over an
 * existing database.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy.js';
import { openItemStore } from '../../src/store/work-items.js';
import { seedPgliteDataDir } from '../support/store.js';

const dirs: string[] = [];
const newDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'is-pglite-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A migrated database with a marker table, to tell a copy of it from anything else. */
async function markedTemplate(marker: string): Promise<string> {
  const dataDir = await newDir();
  await seedPgliteDataDir(dataDir);
  const store = await openItemStore({ dataDir });
  await store.db.exec(`CREATE TABLE ${marker} (x integer)`);
  await store.close();
  return join(dataDir, 'pglite');
}

const show = async (db: { query<T>(sql: string): Promise<{ rows: T[] }> }, name: string) =>
  Object.values((await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]!)[0];

describe('embedded database settings', () => {
  test('the default policy applies, after PGlite’s own start parameters', async () => {
    const dataDir = await newDir();
    await seedPgliteDataDir(dataDir);
    const store = await openItemStore({ dataDir });
    try {
      for (const [name, value] of Object.entries(DEFAULT_POLICY.embeddedDb.settings)) expect(await show(store.db, name)).toBe(value);
      expect(await show(store.db, 'shared_buffers')).not.toBe('128MB');
      expect(await show(store.db, 'max_parallel_workers_per_gather')).toBe('0'); // one of PGlite's own
    } finally {
      await store.close();
    }
  }, 60_000);

  test('settings come from the policy given, and a malformed one is refused before PostgreSQL sees it', async () => {
    const dataDir = await newDir();
    await seedPgliteDataDir(dataDir);
    const store = await openItemStore({ dataDir, embedded: { settings: { shared_buffers: '8MB', work_mem: '2MB' } } });
    try {
      expect(await show(store.db, 'shared_buffers')).toBe('8MB');
      expect(await show(store.db, 'work_mem')).toBe('2MB');
    } finally {
      await store.close();
    }
    await expect(openItemStore({ dataDir, embedded: { settings: { work_mem: '2MB -c fsync=on' } } }))
      .rejects.toThrow(/invalid embedded database setting work_mem/);
  }, 60_000);
});

describe('a new data directory from the template', () => {
  test('is a copy of the template, migrated; an existing database is never replaced', async () => {
    const first = await markedTemplate('from_first_template');
    const second = await markedTemplate('from_second_template');
    const dataDir = join(await newDir(), 'nested');
    mkdirSync(join(dataDir, 'pglite'), { recursive: true }); // an empty directory counts as new
    mkdirSync(join(dataDir, 'pglite.seeding')); // a copy cut off by a kill is redone
    writeFileSync(join(dataDir, 'pglite.seeding', 'PG_VERSION'), 'half');

    const store = await openItemStore({ dataDir, embedded: { template: first } });
    const tables = async () => (await store.db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 'from_%'`)).rows.map((r) => r.t);
    expect(await tables()).toEqual(['from_first_template']);
    expect((await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'pglite.seeding'))).toBe(false);
    await store.close();

    const again = await openItemStore({ dataDir, embedded: { template: second } });
    const names = (await again.db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 'from_%'`)).rows.map((r) => r.t);
    expect(names).toEqual(['from_first_template']);
    await again.close();
  }, 120_000);
});
