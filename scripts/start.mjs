// `npm start`: runs the built service, building it first only when dist/ is missing or older than
// the sources (a rebuild costs tens of seconds; an unchanged tree starts at once). Arguments pass
// through: `npm start -- api`. `npm run dev` runs the sources directly, without building.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildFreshness } from './build-freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const freshness = buildFreshness(root);
if (freshness.stale) {
  process.stderr.write(`building: ${freshness.reason}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const args = process.argv.slice(2);
// The service reads its role from argv, as `node dist/cli/main.js all` would give it.
process.argv.splice(2, Infinity, ...(args.length > 0 ? args : ['all']));
await import(new URL('../dist/cli/main.js', import.meta.url).href);
