/**
 * Issue 12, people: a per-tenant directory of persons, each holding the source accounts that are
 * the same human. An account is keyed like an item (tenant, source_type, source_instance,
 * external_id); person_emails holds the verified addresses (lower-cased, trimmed) by which imports
 * route new accounts to a person: its primary key is what makes two workers meeting the same new
 * address at once end with one person. Items are not rewritten: their person ids are read beside
 * them (src/store/people/resolve.ts).
 */
import type { Migration } from './index.js';

export const people: Migration = {
  id: 7,
  name: 'people',
  sql: `
CREATE TABLE persons (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL,              -- '' = no tenant (the API shows null)
  display_name text,
  primary_email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The directory's order (by name, ties by id) and its keyset paging.
CREATE INDEX persons_list ON persons (tenant_id, lower(COALESCE(display_name, '')), id);

CREATE TABLE person_emails (
  tenant_id text NOT NULL,
  email_key text NOT NULL,              -- lower(btrim(email)) of a verified address
  -- Deferred: an import inserts the address and the new person it names in one statement.
  person_id uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (tenant_id, email_key)
);
CREATE INDEX person_emails_person ON person_emails (person_id);

CREATE TABLE person_accounts (
  tenant_id text NOT NULL,
  source_type text NOT NULL,
  source_instance text NOT NULL,
  external_id text NOT NULL,
  name text,
  email text,
  email_verified boolean NOT NULL DEFAULT false,
  person_id uuid NOT NULL REFERENCES persons (id),
  -- email: joined by a verified address; manual: set by PUT /api/people/{id}/links, never changed by
  -- an import; none: no verified address yet, a person of its own
  linked_by text NOT NULL CHECK (linked_by IN ('email', 'manual', 'none')),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_type, source_instance, external_id)
);
CREATE INDEX person_accounts_person ON person_accounts (person_id);
`,
};
