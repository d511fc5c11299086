/**
 * The template a new embedded database starts from: a data directory PGlite's initdb made and the
 * migrations filled, which the build writes to dist/pglite-template (scripts/pglite-template.mjs).
 * Copying it takes tens of milliseconds where initdb takes seconds (tens on a busy machine) and runs
 * a second PostgreSQL in the process, whose wasm memory (~400 MiB) stays until a full GC.
 * Run from the sources (npm run dev, tests) there is none, and PGlite runs initdb as before.
 * Migrations still run at every start, so a template older than the code is only a head start.
 */
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/pglite-template beside the built dist/store/; src/pglite-template (absent) from the sources. */
export const BUILT_TEMPLATE = fileURLToPath(new URL('../pglite-template', import.meta.url));

/**
 * Copies the template to `dir` when there is a template and `dir` is missing or empty; says whether
 * it did. The caller holds the data directory's lock.
 */
export async function seedFromTemplate(template: string, dir: string): Promise<boolean> {
  if (!existsSync(join(template, 'PG_VERSION'))) return false;
  if (existsSync(dir) && readdirSync(dir).length > 0) return false;
  // Copied aside and renamed, so a kill mid-copy never leaves a half database under `dir`.
  const staging = `${dir}.seeding`;
  await rm(staging, { recursive: true, force: true });
  await copyTree(template, staging);
  if (existsSync(dir)) await rmdir(dir); // empty, checked above
  await rename(staging, dir);
  return true;
}

/**
 * The ~1,000 files of a data directory, each directory's files copied at once: in the thread pool
 * that takes ~0.2 s where cpSync, one file after another, takes ~1 s (0.6 s of CPU).
 */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to);
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(entries.map((e) => (e.isDirectory() ? copyTree(join(from, e.name), join(to, e.name)) : copyFile(join(from, e.name), join(to, e.name)))));
}
