/**
 * Person ids beside the source accounts of items read from the store: one query per page, at read
 * time, so a manual link shows at once and items are never rewritten (their content hash knows
 * nothing of people).
 */
import type { Person } from '../../connectors/connector.js';
import type { DbQueries } from '../db.js';
import type { WorkItem } from '../types.js';
import { itemPersons } from './accounts.js';

type Ref = Person & { person_id?: string | null };

const accountKey = (tenant: string, sourceType: string, instance: string, externalId: string): string =>
  JSON.stringify([tenant, sourceType, instance, externalId]);

/** Sets `person_id` (null when the account is not in the directory) on every account the items name. */
export async function withPersonIds<T extends WorkItem>(db: DbQueries, items: T[]): Promise<T[]> {
  const wanted = new Map<string, { tenant_id: string; source_type: string; source_instance: string; external_id: string }>();
  for (const item of items) {
    const tenant = item.tenant_id ?? '';
    for (const p of itemPersons(item)) {
      const key = accountKey(tenant, item.source_type, item.source_instance, p.external_id);
      wanted.set(key, { tenant_id: tenant, source_type: item.source_type, source_instance: item.source_instance, external_id: p.external_id });
    }
  }
  if (wanted.size === 0) return items;
  const { rows } = await db.query<{ tenant_id: string; source_type: string; source_instance: string; external_id: string; person_id: string }>(
    `SELECT pa.tenant_id, pa.source_type, pa.source_instance, pa.external_id, pa.person_id::text AS person_id
     FROM jsonb_to_recordset($1::jsonb) AS w(tenant_id text, source_type text, source_instance text, external_id text)
     JOIN person_accounts pa ON (pa.tenant_id, pa.source_type, pa.source_instance, pa.external_id)
                              = (w.tenant_id, w.source_type, w.source_instance, w.external_id)`,
    [JSON.stringify([...wanted.values()])],
  );
  const found = new Map(rows.map((r) => [accountKey(r.tenant_id, r.source_type, r.source_instance, r.external_id), r.person_id]));
  for (const item of items) {
    const tenant = item.tenant_id ?? '';
    for (const p of itemPersons(item) as Ref[]) {
      p.person_id = found.get(accountKey(tenant, item.source_type, item.source_instance, p.external_id)) ?? null;
    }
  }
  return items;
}
