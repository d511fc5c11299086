/**
 * Applies the numbered migrations once, in order, recording each in schema_migrations.
 * All of it runs in one transaction behind a transaction-scoped advisory lock, so several
 * processes starting at once apply each migration exactly once (the others wait, then find
 * nothing to do). PGlite is single-process; the same SQL holds there trivially.
 * A future migration that cannot run in a transaction (CREATE INDEX CONCURRENTLY) needs its own path.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db.js';
import { init } from './001-init.js';
import { jobItemsRetention } from './002-job-items-retention.js';
import { deletionsChangeFeed } from './003-deletions-change-feed.js';
import { syncs } from './004-syncs.js';
import { workItemsKey } from './005-work-items-key.js';
import { itemDepth } from './006-item-depth.js';
import { people } from './007-people.js';

import { changeFeedRetention } from './008-change-feed-retention.js';
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [init, jobItemsRetention, deletionsChangeFeed, syncs, workItemsKey, itemDepth, people, changeFeedRetention];

/** Returns the ids it applied (empty when the database was up to date). */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey(db.schema ?? 'public')]);
    if (db.schema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await tx.query<{ id: number }>('SELECT id FROM schema_migrations');
    const applied = new Set(done.rows.map((r) => r.id));
    const ran: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (applied.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      ran.push(m.id);
    }
    return ran;
  });
}

/** One lock per schema, so isolated test schemas never wait on each other. */
function lockKey(schema: string): string {
  const digest = createHash('sha256').update(`integration-service:migrate:${schema}`).digest();
  return digest.readBigInt64BE(0).toString();
}
