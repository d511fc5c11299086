/** The committed typed-client description (src/client/api-types.ts) is what `npm run gen:api` makes from the app now. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_PATH, generateApiTypes } from '../../scripts/gen-api.js';

describe('generated API types', () => {
  it('src/client/api-types.ts is up to date with the route schemas (else run npm run gen:api)', async () => {
    const committed = await readFile(API_TYPES_PATH, 'utf8');
    const fresh = await generateApiTypes();
    expect(fresh).toContain('"/api/imports/{job_id}/events"');
    expect(committed === fresh, 'src/client/api-types.ts is stale: run `npm run gen:api` and commit it').toBe(true);
  });
});
