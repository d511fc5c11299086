/**
 * Embedded PostgreSQL (PGlite) in `${dataDir}/pglite`. PGlite is single-process: two processes
 * opening the same directory would corrupt it, so a pid lock file refuses a second opener with a
 * clear message instead (run one process, or set DATABASE_URL to scale out).
 * A new directory starts as a copy of the template the build made (see pglite-template.ts), not
 * from initdb: initdb takes seconds and runs a second PostgreSQL whose memory the process keeps.
 *
 * Durability: PGlite starts PostgreSQL with fsync off (its `-F`), and its Node filesystem writes
 * through to the OS file at once. A commit returns after its WAL is written to the OS, so a killed
 * process loses nothing it committed (test/store/pglite-crash.test.ts); a crash of the machine
 * itself may, as the OS page cache is not flushed — set DATABASE_URL where that matters.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { StoreError } from '../errors.js';
import { DEFAULT_POLICY, type EmbeddedDbPolicy } from '../policy.js';
import type { Db, DbQueries } from './db.js';
import { storeError } from './db-errors.js';
import { BUILT_TEMPLATE, seedFromTemplate } from './pglite-template.js';

export interface PgliteOptions {
  /** PostgreSQL settings; default DEFAULT_POLICY.embeddedDb.settings. */
  settings?: EmbeddedDbPolicy['settings'];
  /** A migrated data directory to copy into a new one; null = run initdb. */
  template?: string | null;
}

/** PGlite's own start parameters (single-user mode, fsync off, no parallel workers) and ours after them. */
export function startParams(settings: EmbeddedDbPolicy['settings']): string[] {
  const own = (PGlite as unknown as { defaultStartParams?: unknown }).defaultStartParams;
  if (!Array.isArray(own) || !own.includes('--single')) {
    throw new StoreError('this PGlite version has no defaultStartParams: the embedded database settings cannot be applied');
  }
  for (const [name, value] of Object.entries(settings)) {
    if (!/^[a-z_]+$/.test(name) || !/^[A-Za-z0-9_.]+$/.test(value)) throw new StoreError(`invalid embedded database setting ${name}`);
  }
  return [...(own as string[]), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/** Directories this process holds, to tell our own lock from a stale one left under a reused pid. */
const heldHere = new Set<string>();

export async function openPglite(dataDir: string, schema: string | null, opts: PgliteOptions = {}): Promise<Db> {
  const dir = resolve(dataDir, 'pglite');
  const lockFile = resolve(dataDir, 'pglite.lock');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw storeError(err, []);
  }
  lock(lockFile, dir);
  let db: PGlite;
  try {
    const template = opts.template === undefined ? BUILT_TEMPLATE : opts.template;
    if (template) await seedFromTemplate(template, dir);
    mkdirSync(dir, { recursive: true });
    db = await PGlite.create(dir, {
      startParams: startParams(opts.settings ?? DEFAULT_POLICY.embeddedDb.settings),
      // When initdb runs (the template, or no template): 1 MB WAL segments instead of 16 MB, so
      // the template a new data dir copies is 24 MB, not 39.
      initDbStartParams: ['--wal-segsize=1'],
    });
    if (schema) await db.exec(`SET search_path TO ${schema}`);
  } catch (err) {
    unlock(lockFile, dir);
    throw storeError(err, []);
  }
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw storeError(err, []);
    }
  };
  const queries = (target: PGlite | Transaction): DbQueries => ({
    query: <T>(sql: string, params: unknown[] = []) =>
      wrap(async () => ({ rows: (await target.query<T>(sql, params)).rows })),
    exec: (sql: string) => wrap(async () => void (await target.exec(sql))),
  });
  return {
    kind: 'pglite',
    schema,
    ...queries(db),
    // PGlite's transaction() holds its own mutex, so other queries wait until it ends.
    transaction: (fn) => db.transaction((tx) => fn(queries(tx))),
    async close() {
      try {
        await wrap(() => db.close());
      } finally {
        unlock(lockFile, dir);
      }
    },
  };
}

function lock(lockFile: string, dir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      heldHere.add(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(err, []);
    }
    const owner = Number(readFileSync(lockFile, 'utf8').trim());
    if (isLive(owner, dir)) {
      throw new StoreError(
        `the embedded database in ${dir} is in use by process ${owner}; run a single process or set DATABASE_URL`,
      );
    }
    unlinkSync(lockFile);
  }
  throw new StoreError(`could not lock the embedded database in ${dir}`);
}

function isLive(pid: number, dir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return heldHere.has(dir);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlock(lockFile: string, dir: string): void {
  heldHere.delete(dir);
  try {
    unlinkSync(lockFile);
  } catch {
    // already gone: nothing to release
  }
}

