import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { openDb } from '../../src/store/db.js';
import { openItemStore } from '../../src/store/work-items.js';

describe('PostgreSQL connection errors', () => {
  test('become StoreError without the password, raw or URL-encoded', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const url = 'postgres://svc:s3cr%40t-pw@127.0.0.1:1/app';
    const err = await openItemStore({ databaseUrl: url, dataDir: tmpdir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    const text = `${(err as Error).message} ${(err as Error).stack}`;
    expect(text).toMatch(/ECONNREFUSED/);
    expect(text).not.toContain('s3cr%40t-pw');
    expect(text).not.toContain('s3cr@t-pw');
  });

  test('a schema name that is not a plain identifier is refused', async () => {
    await expect(openDb({ databaseUrl: 'postgres://127.0.0.1/x', dataDir: tmpdir(), schema: 'a; DROP' }))
      .rejects.toBeInstanceOf(StoreError);
  });
});

describe('PGlite data directory', () => {
  const dirs: string[] = [];
  const newDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'is-db-'));
    dirs.push(dir);
    return join(dir, 'nested', 'data');
  };
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test('is created when missing, refuses a second opener, and keeps data across reopen', async () => {
    const dataDir = await newDir();
    const first = await openItemStore({ dataDir });
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
    await expect(openItemStore({ dataDir })).rejects.toThrow(/in use by process \d+.*DATABASE_URL/);
    await first.setWatermark({ tenantId: null, sourceType: 'gitlab', sourceInstance: 'g', scope: 's' }, new Date(0));
    await first.close();

    const second = await openItemStore({ dataDir });
    expect(await second.getWatermark({ tenantId: null, sourceType: 'gitlab', sourceInstance: 'g', scope: 's' }))
      .toEqual(new Date(0));
    await second.close();
  }, 120_000); // two fresh PGlite starts: slow on a loaded machine

  test('a lock left by a dead process is taken over', async () => {
    const dataDir = await newDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await (await openItemStore({ dataDir })).close(); // creates the directory tree
    writeFileSync(join(dataDir, 'pglite.lock'), String(dead));
    const store = await openItemStore({ dataDir });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  }, 120_000);
});
