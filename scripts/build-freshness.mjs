// Whether dist/ must be rebuilt before `npm start`: plain JavaScript, since it runs before anything is compiled.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the build reads: a change to any of these makes dist/ stale. */
export const BUILD_INPUTS = ['src', 'ui', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
/** Written by the build's first step (tsc), so its time is when the build began reading its inputs. */
export const BUILD_OUTPUT = 'dist/cli/main.js';
/** Never inputs, wherever they sit (a ui/ project's own dependencies and output). */
const SKIPPED = new Set(['node_modules', 'dist', '.git']);

/**
 * `{ stale: false }` when dist/ was built after the last change to every input, otherwise
 * `{ stale: true, reason }` naming the first newer file found (or the missing output).
 */
export function buildFreshness(root) {
  let builtAt;
  try {
    builtAt = statSync(join(root, BUILD_OUTPUT)).mtimeMs;
  } catch {
    return { stale: true, reason: `${BUILD_OUTPUT} is missing` };
  }
  for (const input of BUILD_INPUTS) {
    const newer = newerThan(root, input, builtAt);
    if (newer !== null) return { stale: true, reason: `${newer} changed since the last build` };
  }
  return { stale: false };
}

/** The first file at or under `rel` modified after `time`, or null. */
function newerThan(root, rel, time) {
  let stat;
  try {
    stat = statSync(join(root, rel));
  } catch {
    return null; // an input this checkout does not have (ui/ before the dashboard exists)
  }
  if (!stat.isDirectory()) return stat.mtimeMs > time ? rel : null;
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const found = newerThan(root, join(rel, entry.name), time);
    if (found !== null) return found;
  }
  return null;
}
