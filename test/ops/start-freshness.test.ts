/** `npm start` rebuilds only when dist/ is missing or older than what the build reads (scripts/build-freshness.mjs). */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFreshness } from '../../scripts/build-freshness.mjs';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes `rel` with the given modification time (seconds ago). */
function file(rel: string, secondsAgo: number): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
}

function tree(): void {
  root = mkdtempSync(join(tmpdir(), 'is-fresh-'));
  file('package.json', 100);
  file('tsconfig.json', 100);
  file('tsconfig.build.json', 100);
  file('src/main.ts', 100);
  file('src/jobs/lua/save.lua', 100);
  file('scripts/copy-assets.mjs', 100);
  file('dist/cli/main.js', 50);
}

describe('buildFreshness', () => {
  it('an unchanged tree built after its last change is fresh', () => {
    tree();
    expect(buildFreshness(root)).toEqual({ stale: false });
  });

  it('no build yet is stale', () => {
    tree();
    rmSync(join(root, 'dist'), { recursive: true });
    expect(buildFreshness(root)).toEqual({ stale: true, reason: 'dist/cli/main.js is missing' });
  });

  it.each(['src/jobs/lua/save.lua', 'src/new-file.ts', 'package.json', 'tsconfig.build.json', 'ui/src/App.tsx', 'scripts/copy-assets.mjs'])(
    'a change to %s after the build is stale, and named',
    (rel) => {
      tree();
      file(rel, 10);
      expect(buildFreshness(root)).toEqual({ stale: true, reason: `${rel} changed since the last build` });
    },
  );

  it('what the build writes or installs does not count (node_modules, dist under ui/)', () => {
    tree();
    file('ui/src/App.tsx', 100);
    file('ui/node_modules/x/index.js', 10);
    file('ui/dist/index.html', 10);
    file('README.md', 10);
    expect(buildFreshness(root)).toEqual({ stale: false });
  });
});
