/**
 * The template a new embedded database starts from: a data directory PGlite's initdb made and the
 * migrations filled, which the build writes to dist/pglite-template (scripts/pglite-template.mjs).
 * Copying it takes tens of milliseconds where initdb takes seconds (tens on a busy machine) and runs
 * a second PostgreSQL in the process, whose wasm memory (~400 MiB) stays until a full GC.
 * Run from the sources (npm run dev, tests) there is none, and PGlite runs initdb as before.
 * Migrations still run at every start, so a template older than the code is only a head start.
 */
import { constants, cpSync, existsSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/pglite-template beside the built dist/store/; src/pglite-template (absent) from the sources. */
export const BUILT_TEMPLATE = fileURLToPath(new URL('../pglite-template', import.meta.url));

/**
 * Copies the template to `dir` when there is a template and `dir` is missing or empty; says whether
 * it did. The caller holds the data directory's lock.
 */
export function seedFromTemplate(template: string, dir: string): boolean {
  if (!existsSync(join(template, 'PG_VERSION'))) return false;
  if (existsSync(dir) && readdirSync(dir).length > 0) return false;
  // Copied aside and renamed, so a kill mid-copy never leaves a half database under `dir`.
  const staging = `${dir}.seeding`;
  rmSync(staging, { recursive: true, force: true });
  // A clone shares the blocks where the filesystem can (btrfs, XFS, APFS); elsewhere it is a copy.
  cpSync(template, staging, { recursive: true, mode: constants.COPYFILE_FICLONE });
  if (existsSync(dir)) rmdirSync(dir); // empty, checked above
  renameSync(staging, dir);
  return true;
}
