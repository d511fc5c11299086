/**
 * Records the source accounts of each stored batch in the people directory: two set-based
 * statements per batch, in one transaction, whatever the number of people.
 *
 *  1. claim: every verified address no person holds yet is claimed, for the person of an account
 *     already known that shows it, else for a new person; every new account without a verified
 *     address gets a person of its own, whose id is derived from the account (so two batches
 *     meeting it at once make one). The address's primary key decides a race: the loser waits
 *     for the winner's commit and claims nothing.
 *  2. link: accounts are upserted. A new account joins the person holding its verified address,
 *     else its own person. A known account moves only from `none` (no verified address until now)
 *     to the person holding the address it now shows; `email` and `manual` links stay as they are.
 *     A person left with no account and no address is deleted.
 *  The second statement runs with a fresh snapshot (READ COMMITTED), so it sees the addresses a
 *  concurrent batch claimed. A shared advisory lock per tenant lets batches run side by side and
 *  keeps them out of a manual relink (which takes it exclusively).
 */
import type { NormalizedItem } from '../../connectors/connector.js';
import type { BatchContext } from '../../items/types.js';
import type { Db } from '../db.js';
import { batchAccounts, directoryLock } from './accounts.js';
import type { RecentAccounts } from './recent.js';

const INPUT = `input AS (
  SELECT * FROM jsonb_to_recordset($4::jsonb) AS i(external_id text, name text, email text, key text)
)`;

/** The person of an account without a verified address: one id per account, whoever creates it first. */
const OWN_PERSON = (externalId: string) => `md5(jsonb_build_array($1::text, $2::text, $3::text, ${externalId})::text)::uuid`;

const CLAIM_SQL = `
WITH ${INPUT},
known AS (
  SELECT pa.external_id, pa.person_id FROM person_accounts pa
  WHERE pa.tenant_id = $1 AND pa.source_type = $2 AND pa.source_instance = $3
    AND pa.external_id IN (SELECT external_id FROM input)
),
unclaimed AS (
  -- a known account's person claims first (its id stays), else a new person
  SELECT DISTINCT ON (i.key) i.key, k.person_id AS holder, i.name, i.email
  FROM input i LEFT JOIN known k ON k.external_id = i.external_id
  WHERE i.key IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM person_emails pe WHERE pe.tenant_id = $1 AND pe.email_key = i.key)
  ORDER BY i.key, k.person_id IS NULL, i.name IS NULL, i.external_id
),
claimed AS (
  -- in key order, so batches claiming overlapping addresses wait on each other without deadlock
  INSERT INTO person_emails (tenant_id, email_key, person_id)
  SELECT $1, u.key, COALESCE(u.holder, gen_random_uuid()) FROM unclaimed u ORDER BY u.key
  ON CONFLICT (tenant_id, email_key) DO NOTHING
  RETURNING email_key, person_id
),
email_persons AS (
  INSERT INTO persons (id, tenant_id, display_name, primary_email)
  SELECT c.person_id, $1, u.name, u.email FROM claimed c JOIN unclaimed u ON u.key = c.email_key
  WHERE u.holder IS NULL
)
INSERT INTO persons (id, tenant_id, display_name, primary_email)
SELECT ${OWN_PERSON('i.external_id')} AS id, $1, i.name, i.email FROM input i
WHERE i.key IS NULL AND NOT EXISTS (SELECT 1 FROM known k WHERE k.external_id = i.external_id)
ORDER BY id
ON CONFLICT (id) DO NOTHING`;

const LINK_SQL = `
WITH ${INPUT},
target AS (
  SELECT i.*, pe.person_id AS email_person, ${OWN_PERSON('i.external_id')} AS own_person
  FROM input i LEFT JOIN person_emails pe ON pe.tenant_id = $1 AND pe.email_key = i.key
),
prior AS (
  SELECT pa.external_id, pa.person_id FROM person_accounts pa
  WHERE pa.tenant_id = $1 AND pa.source_type = $2 AND pa.source_instance = $3
    AND pa.external_id IN (SELECT external_id FROM input)
),
upserted AS (
  INSERT INTO person_accounts AS pa (tenant_id, source_type, source_instance, external_id, name, email,
    email_verified, person_id, linked_by)
  SELECT $1, $2, $3, t.external_id, t.name, t.email, t.key IS NOT NULL, COALESCE(t.email_person, t.own_person),
    CASE WHEN t.email_person IS NULL THEN 'none' ELSE 'email' END
  FROM target t ORDER BY t.external_id
  ON CONFLICT (tenant_id, source_type, source_instance, external_id) DO UPDATE SET
    -- a sighting that shows less (no name, no address) does not erase what an earlier one showed
    name = COALESCE(EXCLUDED.name, pa.name),
    email = COALESCE(EXCLUDED.email, pa.email),
    email_verified = CASE WHEN EXCLUDED.email IS NULL THEN pa.email_verified ELSE EXCLUDED.email_verified END,
    person_id = CASE WHEN pa.linked_by = 'none' AND EXCLUDED.linked_by = 'email' THEN EXCLUDED.person_id ELSE pa.person_id END,
    linked_by = CASE WHEN pa.linked_by = 'none' AND EXCLUDED.linked_by = 'email' THEN 'email' ELSE pa.linked_by END,
    last_seen_at = now()
  RETURNING pa.external_id, pa.person_id
),
moved AS (
  SELECT p.person_id AS left_person FROM prior p JOIN upserted u ON u.external_id = p.external_id
  WHERE u.person_id <> p.person_id
)
-- A person left empty: the one an account moved away from, or one the claim made for an account
-- that another batch linked first. Kept when it holds an address (an account may show it later).
DELETE FROM persons x
WHERE x.id IN (SELECT left_person FROM moved UNION SELECT own_person FROM target WHERE key IS NULL)
  AND x.id NOT IN (SELECT person_id FROM upserted)
  AND NOT EXISTS (SELECT 1 FROM person_emails e WHERE e.person_id = x.id)
  AND NOT EXISTS (
    SELECT 1 FROM person_accounts a WHERE a.person_id = x.id
      AND NOT (a.tenant_id = $1 AND a.source_type = $2 AND a.source_instance = $3
               AND a.external_id IN (SELECT external_id FROM input))
  )`;

/**
 * Records every account the batch's items name; idempotent (a re-delivered batch changes nothing).
 * `recent` skips the accounts this process recorded lately exactly as they are shown now.
 */
export async function recordAccounts(db: Db, ctx: BatchContext, items: readonly NormalizedItem[], recent?: RecentAccounts): Promise<void> {
  const named = batchAccounts(items);
  const accounts = recent ? recent.unrecorded(ctx, named) : named;
  if (accounts.length === 0) return;
  const tenant = ctx.tenantId ?? '';
  const params = [tenant, ctx.sourceType, ctx.sourceInstance, JSON.stringify(accounts)];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock_shared($1::bigint)', [directoryLock(db.schema, tenant)]);
    await tx.query(CLAIM_SQL, params);
    await tx.query(LINK_SQL, params);
  });
  recent?.recorded(ctx, accounts);
}
