// Build step after tsc: the migrated embedded database a new DATA_DIR starts from
// (src/store/pglite-template.ts), made by the code just built, in dist/pglite-template.
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const { openItemStore } = await import('../dist/store/work-items.js');
const { BUILT_TEMPLATE } = await import('../dist/store/pglite-template.js');
const building = mkdtempSync(join('dist', '.pglite-template-'));
try {
  await (await openItemStore({ dataDir: building, embedded: { template: null } })).close();
  rmSync(BUILT_TEMPLATE, { recursive: true, force: true });
  renameSync(join(building, 'pglite'), BUILT_TEMPLATE);
} finally {
  rmSync(building, { recursive: true, force: true });
}
