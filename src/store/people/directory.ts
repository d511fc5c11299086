/** Reads of the people directory: persons with their accounts, tenant-scoped, keyset paged by name. */
import type { DbQueries } from '../db.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { UUID, escapeLike } from '../queries.js';
import type { Page } from '../types.js';
import type { ListPeopleQuery, PersonAccount, PersonRecord } from './types.js';

/** The sort name a cursor carries: a lower-cased display name (at most 256 characters, see accounts.ts). */
const SORT_NAME = (part: string): boolean => part.length <= 2048 && !part.includes('\0');
const SORT_EXPR = `lower(COALESCE(p.display_name, ''))`;

const PERSON_COLUMNS = `p.id::text AS id, p.tenant_id, p.display_name, p.primary_email, p.created_at, p.updated_at,
  COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
      'source_type', a.source_type, 'source_instance', a.source_instance, 'external_id', a.external_id,
      'name', a.name, 'email', a.email, 'email_verified', a.email_verified, 'linked_by', a.linked_by,
      'first_seen_at', a.first_seen_at, 'last_seen_at', a.last_seen_at
    ) ORDER BY a.source_type, a.source_instance, a.external_id)
    FROM person_accounts a WHERE a.person_id = p.id
  ), '[]'::jsonb) AS accounts`;

interface PersonRow {
  id: string;
  tenant_id: string;
  display_name: string | null;
  primary_email: string | null;
  created_at: Date;
  updated_at: Date;
  accounts: (Omit<PersonAccount, 'first_seen_at' | 'last_seen_at'> & { first_seen_at: string; last_seen_at: string })[];
}

const iso = (text: string): string => new Date(text).toISOString();

function toPerson({ sort_key: _sortKey, ...row }: PersonRow & { sort_key?: string }): PersonRecord {
  return {
    ...row,
    tenant_id: row.tenant_id === '' ? null : row.tenant_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    // jsonb renders timestamps in the session's time zone: the API's are UTC with Z
    accounts: row.accounts.map((a) => ({ ...a, first_seen_at: iso(a.first_seen_at), last_seen_at: iso(a.last_seen_at) })),
  };
}

export async function getPerson(db: DbQueries, id: string, tenantId: string | null): Promise<PersonRecord | null> {
  if (!UUID.test(id)) return null;
  const { rows } = await db.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.id = $1::uuid AND ($2::text IS NULL OR p.tenant_id = $2)`,
    [id, tenantId],
  );
  return rows[0] ? toPerson(rows[0]) : null;
}

/** By display name (case-insensitive), ties by id; the cursor is the last row's pair. */
export async function listPeople(db: DbQueries, q: ListPeopleQuery): Promise<Page<PersonRecord>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.tenantId !== null) add((p) => `p.tenant_id = ${p}`, q.tenantId);
  if (q.source_type) add((p) => `EXISTS (SELECT 1 FROM person_accounts a WHERE a.person_id = p.id AND a.source_type = ${p})`, q.source_type);
  if (q.q) {
    add(
      (p) => `(p.display_name ILIKE ${p} OR p.primary_email ILIKE ${p} OR EXISTS (
        SELECT 1 FROM person_accounts a WHERE a.person_id = p.id AND (a.name ILIKE ${p} OR a.email ILIKE ${p})))`,
      `%${escapeLike(q.q)}%`,
    );
  }
  if (q.cursor) {
    const [name, id] = decodeCursor(q.cursor, [SORT_NAME, UUID]);
    params.push(name, id);
    where.push(`(${SORT_EXPR}, p.id) > ($${params.length - 1}::text, $${params.length}::uuid)`);
  }
  params.push(q.limit + 1);
  const { rows } = await db.query<PersonRow & { sort_key: string }>(
    `SELECT ${PERSON_COLUMNS}, ${SORT_EXPR} AS sort_key FROM persons p
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY ${SORT_EXPR}, p.id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toPerson),
    next_cursor: rows.length > q.limit && last ? encodeCursor([last.sort_key, last.id]) : null,
  };
}
