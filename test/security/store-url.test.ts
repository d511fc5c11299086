/**
 * DATABASE_URL's password never reaches a store error (which becomes a job's error_message, an
 * API 503 or a log line): real PostgreSQL failures — nothing listening, an unknown role or
 * database — with the password raw, percent-encoded, and also present elsewhere in the URL.
 */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { openDb } from '../../src/store/db.js';
import { storeError, urlSecrets } from '../../src/store/db-errors.js';
import { MARKER } from './support.js';

const PASSWORD = `pg-${MARKER}-p@ss:/w0rd`;
const ENCODED = encodeURIComponent(PASSWORD);

async function failure(url: string): Promise<StoreError> {
  const err = await openDb({ databaseUrl: url, dataDir: '/nonexistent' })
    .then(async (db) => {
      try {
        await db.query('SELECT 1');
        return null;
      } finally {
        await db.close().catch(() => undefined);
      }
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

describe('DATABASE_URL password in store errors', () => {
  it.each([
    ['nothing listening', `postgres://postgres:${ENCODED}@127.0.0.1:1/test`, /ECONNREFUSED/],
    ['an unknown role', `postgres://no_such_role_sec:${ENCODED}@127.0.0.1:5432/test`, /role "no_such_role_sec" does not exist/],
    ['an unknown database', `postgres://postgres:${ENCODED}@127.0.0.1:5432/no_such_db_sec`, /database "no_such_db_sec" does not exist/],
  ])('%s: the message says what failed, never the password', async (_case, url, said) => {
    const err = await failure(url);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(said);
    expect(err.message).not.toContain(MARKER);
    expect(JSON.stringify(err)).not.toContain(MARKER);
    expect(err.stack ?? '').not.toContain(MARKER);
  });

  it('a driver message quoting the URL or the password, encoded or not, is cut', () => {
    const url = `postgres://app:${ENCODED}@db.internal:5432/items`;
    const cause = new Error(`cannot use ${url}: password ${PASSWORD} / ${ENCODED} refused`);
    const err = storeError(cause, urlSecrets(url));
    expect(err.message).toBe('database error: cannot use ***: password *** / *** refused');
  });

  it('an unparsable URL is hidden whole', () => {
    const url = `postgres://app:${MARKER}@[bad/items`;
    expect(storeError(new Error(`bad url ${url}`), urlSecrets(url)).message).not.toContain(MARKER);
  });
});
