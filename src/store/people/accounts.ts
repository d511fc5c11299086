/**
 * The source accounts an item names (assignee, reporter, comment authors, history actors,
 * attachment authors), and the one record per account a batch hands to the store: an account seen
 * several times in a batch is merged, its verified address winning over an unverified one.
 */
import { createHash } from 'node:crypto';
import type { Person } from '../../connectors/connector.js';
import { cleanText } from '../content.js';

/** What an item names people with (a NormalizedItem or a stored WorkItem). */
export interface PeopleBearer {
  assignee: Person | null;
  reporter: Person | null;
  comments: readonly { author: Person | null }[];
  history?: readonly { actor: Person | null }[] | undefined;
  attachments?: readonly { author: Person | null }[] | undefined;
}

/** Every Person object the item names, in item order (the same account may come more than once). */
export function itemPersons(item: PeopleBearer): Person[] {
  const all = [
    item.assignee,
    item.reporter,
    ...item.comments.map((c) => c.author),
    ...(item.history ?? []).map((h) => h.actor),
    ...(item.attachments ?? []).map((a) => a.author),
  ];
  return all.filter((p): p is Person => p !== null && typeof p === 'object' && typeof p.external_id === 'string');
}

/** An account's key is indexed: a longer id (none is met in practice) is not recorded, like an over-long item id. */
export const MAX_ACCOUNT_ID_BYTES = 1024;
/** RFC 5321 caps an address at 254; a longer "email" is not one, and is never matched on. */
const MAX_EMAIL_BYTES = 254;
/** Names are shown, not matched: kept to a readable length (and the directory's order index stays small). */
const MAX_NAME_CHARS = 256;

/**
 * The address people are matched by: present only when the source vouches for it
 * (email_verified === true) and it is not blank; trimmed and lower-cased.
 */
export function emailKey(p: Pick<Person, 'email' | 'email_verified'>): string | null {
  if (p.email_verified !== true || typeof p.email !== 'string') return null;
  const key = cleanText(p.email).trim().toLowerCase();
  return key === '' || Buffer.byteLength(key) > MAX_EMAIL_BYTES ? null : key;
}

export interface AccountSighting {
  external_id: string;
  name: string | null;
  email: string | null;
  /** emailKey of the sighting; null = no verified address shown */
  key: string | null;
}

const shown = (text: string | null | undefined, max: number): string | null => {
  if (typeof text !== 'string') return null;
  const clean = Array.from(cleanText(text).trim()).slice(0, max).join('');
  return clean === '' ? null : clean;
};

/** One sighting per account of the batch, ordered by external_id (the lock order of the upsert). */
export function batchAccounts(items: readonly PeopleBearer[]): AccountSighting[] {
  const byId = new Map<string, AccountSighting>();
  for (const p of items.flatMap(itemPersons)) {
    const id = cleanText(p.external_id);
    if (id === '' || Buffer.byteLength(id) > MAX_ACCOUNT_ID_BYTES) continue;
    const seen: AccountSighting = { external_id: id, name: shown(p.name, MAX_NAME_CHARS), email: shown(p.email, MAX_NAME_CHARS), key: emailKey(p) };
    const prior = byId.get(id);
    if (!prior) {
      byId.set(id, seen);
      continue;
    }
    prior.name ??= seen.name;
    // A verified address wins over an unverified one; otherwise the first shown stays.
    if (prior.key === null && seen.key !== null) Object.assign(prior, { email: seen.email, key: seen.key });
    else prior.email ??= seen.email;
  }
  return [...byId.values()].sort((a, b) => (a.external_id < b.external_id ? -1 : a.external_id > b.external_id ? 1 : 0));
}

/** A bigint key for pg_advisory_xact_lock: one per (schema, tenant) people directory. */
export function directoryLock(schema: string | null, tenantId: string): string {
  return createHash('sha256').update(`integration-service:people:${schema ?? 'public'}:${tenantId}`).digest().readBigInt64BE(0).toString();
}
