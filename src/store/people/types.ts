/** The people directory's public types (GET /api/people, GET /api/people/{id}, PUT /api/people/{id}/links). */
import type { SourceType } from '../../connectors/connector.js';
import type { Page } from '../types.js';

export type LinkedBy = 'email' | 'manual' | 'none';

export interface AccountRef {
  source_type: SourceType;
  source_instance: string;
  external_id: string;
}

export interface PersonAccount extends AccountRef {
  name: string | null;
  email: string | null;
  email_verified: boolean;
  linked_by: LinkedBy;
  first_seen_at: string;
  last_seen_at: string;
}

export interface PersonRecord {
  id: string;
  tenant_id: string | null;
  display_name: string | null;
  primary_email: string | null;
  created_at: string;
  updated_at: string;
  accounts: PersonAccount[];
}

export interface ListPeopleQuery {
  /** null = every tenant (no API keys configured) */
  tenantId: string | null;
  /** case-insensitive substring of a name or address of the person or of one of its accounts */
  q?: string;
  /** only persons with an account of this source */
  source_type?: SourceType;
  cursor?: string;
  limit: number;
}

export interface PeopleDirectory {
  listPeople(query: ListPeopleQuery): Promise<Page<PersonRecord>>;
  getPerson(id: string, tenantId: string | null): Promise<PersonRecord | null>;
  /**
   * Makes `accounts` the complete set of the person's accounts (all linked 'manual'); null when no
   * such person is visible to `tenantId`. Throws VALIDATION_ERROR naming each account not in its tenant.
   */
  setPersonLinks(id: string, tenantId: string | null, accounts: AccountRef[]): Promise<PersonRecord | null>;
}
