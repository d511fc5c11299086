/**
 * PUT /api/people/{id}/links: makes a list of accounts the complete set of one person's accounts,
 * in one transaction holding the tenant's directory lock exclusively (imports hold it shared), so
 * no batch links an account to a person this is about to delete.
 *  - listed accounts move to the person (from wherever they were), all linked 'manual', so no
 *    import moves them again;
 *  - its accounts not listed become persons of their own, also 'manual' (never re-merged);
 *  - a person left empty by the move is merged away: its addresses now route to this person;
 *  - an address a person holds that none of its accounts shows any more goes with the account that
 *    left it showing it (removed from this person, or moved here from another), so a new account
 *    showing it joins that account's person;
 *  - its name and address are taken again from the list, in its order.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { Db, DbQueries } from '../db.js';
import { UUID } from '../queries.js';
import { directoryLock, emailKey } from './accounts.js';
import { getPerson } from './directory.js';
import type { AccountRef, PersonRecord } from './types.js';

interface AccountRow extends AccountRef {
  person_id: string;
  name: string | null;
  email: string | null;
  email_verified: boolean;
}

const refKey = (a: AccountRef): string => JSON.stringify([a.source_type, a.source_instance, a.external_id]);
const MATCH = `pa.tenant_id = $1 AND (pa.source_type, pa.source_instance, pa.external_id) = (r.source_type, r.source_instance, r.external_id)`;
const REFS = `jsonb_to_recordset($2::jsonb) AS r(ord integer, source_type text, source_instance text, external_id text, new_person uuid)`;

export async function setPersonLinks(db: Db, id: string, tenantId: string | null, accounts: AccountRef[]): Promise<PersonRecord | null> {
  if (!UUID.test(id)) return null;
  const { rows: owner } = await db.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM persons WHERE id = $1::uuid AND ($2::text IS NULL OR tenant_id = $2)',
    [id, tenantId],
  );
  const tenant = owner[0]?.tenant_id;
  if (tenant === undefined) return null;
  // The same account listed twice counts once; `ord` is its place in the body, for error paths.
  const listed = new Map<string, AccountRef & { ord: number }>();
  accounts.forEach((a, ord) => {
    if (!listed.has(refKey(a))) listed.set(refKey(a), { ord, source_type: a.source_type, source_instance: a.source_instance, external_id: a.external_id });
  });
  const wanted = [...listed.values()];
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [directoryLock(db.schema, tenant)]);
    // Deleted (merged away) between the look-up and the lock: gone.
    const { rows: locked } = await tx.query('SELECT 1 FROM persons WHERE id = $1::uuid FOR UPDATE', [id]);
    if (locked.length === 0) return null;
    const requested = await accountsNamed(tx, tenant, wanted);
    const current = (await tx.query<AccountRow>(
      `SELECT source_type, source_instance, external_id, person_id::text AS person_id, name, email, email_verified
       FROM person_accounts WHERE person_id = $1::uuid`,
      [id],
    )).rows;
    const removed = current.filter((a) => !listed.has(refKey(a))).map((a) => ({ ...a, new_person: randomUUID() }));
    if (removed.length > 0) {
      await tx.query(
        `WITH made AS (
           INSERT INTO persons (id, tenant_id, display_name, primary_email)
           SELECT r.new_person, $1, a.name, a.email FROM ${REFS} JOIN person_accounts a
             ON a.tenant_id = $1 AND (a.source_type, a.source_instance, a.external_id) = (r.source_type, r.source_instance, r.external_id)
         )
         UPDATE person_accounts pa SET person_id = r.new_person, linked_by = 'manual' FROM ${REFS} WHERE ${MATCH}`,
        [tenant, JSON.stringify(removed)],
      );
    }
    await tx.query(
      `UPDATE person_accounts pa SET person_id = $3::uuid, linked_by = 'manual' FROM ${REFS} WHERE ${MATCH}`,
      [tenant, JSON.stringify(wanted), id],
    );
    const donors = [...new Set(requested.map((a) => a.person_id).filter((p) => p !== id))];
    const kept = donors.length > 0 ? await mergeEmptied(tx, id, donors) : [];
    await handOverAddresses(tx, tenant, id, requested, removed.map((a) => ({ ...a, to: a.new_person })));
    for (const donor of kept) {
      const { rows: staying } = await tx.query<Pick<AccountRow, 'email' | 'email_verified'>>(
        'SELECT email, email_verified FROM person_accounts WHERE person_id = $1::uuid',
        [donor],
      );
      await handOverAddresses(tx, tenant, donor, staying, requested.filter((a) => a.person_id === donor).map((a) => ({ ...a, to: id })));
    }
    const verified = requested.find((a) => emailKey(a) !== null);
    await tx.query(
      `UPDATE persons SET updated_at = now(), display_name = $2, primary_email = $3 WHERE id = $1::uuid`,
      [id, requested.find((a) => a.name !== null)?.name ?? null, (verified ?? requested.find((a) => a.email !== null))?.email ?? null],
    );
    await tx.query('UPDATE persons SET updated_at = now() WHERE id = ANY($1::uuid[])', [donors]);
    return getPerson(tx, id, null);
  });
}

/** The listed accounts of the tenant, in body order; a listed account that is not there is a 422. */
async function accountsNamed(tx: DbQueries, tenant: string, wanted: (AccountRef & { ord: number })[]): Promise<AccountRow[]> {
  const { rows } = await tx.query<AccountRow & { ord: number }>(
    `SELECT r.ord, pa.source_type, pa.source_instance, pa.external_id, pa.person_id::text AS person_id, pa.name, pa.email, pa.email_verified
     FROM ${REFS} JOIN person_accounts pa ON ${MATCH} ORDER BY r.ord FOR UPDATE OF pa`,
    [tenant, JSON.stringify(wanted)],
  );
  const found = new Set(rows.map((r) => r.ord));
  const missing = wanted.filter((a) => !found.has(a.ord));
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION_ERROR',
      'accounts must be source accounts an import recorded in this tenant',
      missing.map((a) => ({ path: `/accounts/${a.ord}`, message: 'no such account in this tenant' })),
    );
  }
  return rows;
}

/** Persons the move left without accounts: their addresses now route to `target`, and they go. Returns the others. */
async function mergeEmptied(tx: DbQueries, target: string, donors: string[]): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT s.id::text AS id FROM persons s WHERE s.id = ANY($1::uuid[])
       AND NOT EXISTS (SELECT 1 FROM person_accounts a WHERE a.person_id = s.id)`,
    [donors],
  );
  const emptied = rows.map((r) => r.id);
  if (emptied.length > 0) {
    await tx.query('UPDATE person_emails SET person_id = $1::uuid WHERE person_id = ANY($2::uuid[])', [target, emptied]);
    await tx.query('DELETE FROM persons WHERE id = ANY($1::uuid[])', [emptied]);
  }
  return donors.filter((d) => !emptied.includes(d));
}

/**
 * An address `person` holds that none of its staying accounts shows any more goes with a leaving
 * account that shows it (to that account's new person), so the address keeps naming the same human.
 */
async function handOverAddresses(
  tx: DbQueries, tenant: string, person: string,
  staying: Pick<AccountRow, 'email' | 'email_verified'>[], leaving: (AccountRow & { to: string })[],
): Promise<void> {
  if (leaving.length === 0) return;
  const shown = new Set(staying.map(emailKey));
  const { rows } = await tx.query<{ email_key: string }>('SELECT email_key FROM person_emails WHERE person_id = $1::uuid', [person]);
  for (const { email_key: key } of rows) {
    const taker = leaving.find((a) => emailKey(a) === key);
    if (shown.has(key) || !taker) continue;
    await tx.query('UPDATE person_emails SET person_id = $3::uuid WHERE tenant_id = $1 AND email_key = $2', [tenant, key, taker.to]);
  }
}
