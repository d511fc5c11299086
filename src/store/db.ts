/**
 * One small database interface over PostgreSQL (pg Pool, when DATABASE_URL is set) and embedded
 * PGlite (otherwise). Both speak the same PostgreSQL dialect, so the rest of the store has one SQL.
 * Every failure surfaces as StoreError with a message that never contains the URL's password.
 */
import pg from 'pg';
import { StoreError } from '../errors.js';
import { storeError, urlSecrets } from './db-errors.js';
import { openPglite, type PgliteOptions } from './pglite.js';

export interface DbQueries {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Db extends DbQueries {
  readonly kind: 'postgres' | 'pglite';
  /** The schema set as search_path, or null for the connection's default. */
  readonly schema: string | null;
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: DbQueries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL URL; unset = PGlite in `${dataDir}/pglite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Isolates all tables in this schema (created by the migrations when missing). */
  schema?: string | undefined;
  /** PGlite's settings and template (defaults: DEFAULT_POLICY.embeddedDb, the built template). */
  embedded?: PgliteOptions | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDb(opts: DbOptions): Promise<Db> {
  const schema = opts.schema ?? null;
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new StoreError('database schema name must be a lower-case SQL identifier');
  }
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, schema);
  return openPglite(opts.dataDir, schema, opts.embedded);
}

function openPostgres(url: string, schema: string | null): Db {
  const secrets = urlSecrets(url);
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw storeError(err, secrets);
    }
  };
  const queries = (client: pg.Pool | pg.PoolClient): DbQueries => ({
    query: <T>(sql: string, params: unknown[] = []) =>
      wrap(async () => ({ rows: (await client.query(sql, params)).rows as T[] })),
    exec: (sql: string) => wrap(async () => void (await client.query(sql))),
  });
  return {
    kind: 'postgres',
    schema,
    ...queries(pool),
    async transaction<T>(fn: (tx: DbQueries) => Promise<T>): Promise<T> {
      const client = await wrap(() => pool.connect());
      try {
        await wrap(() => client.query('BEGIN'));
        const result = await fn(queries(client));
        await wrap(() => client.query('COMMIT'));
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => wrap(() => pool.end()),
  };
}
