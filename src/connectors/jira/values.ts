/**
 * Jira's value shapes read everywhere in an issue: timestamps and users (Cloud v3 and Data Center v2).
 */
import type { Person } from '../connector.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** `2021-01-17T12:34:00.000+0000` (no colon in the offset) or a date → ISO-8601 UTC with Z. */
export function jiraTime(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  const zone = m[3] === undefined || m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const d = new Date(`${m[1]}T${m[2] ?? '00:00'}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Cloud users are identified by accountId; Data Center users by key (stable) or name.
 * email_verified: an Atlassian account (accountType "atlassian") can only sign in with an address it
 * has verified, and Cloud shows `emailAddress` only as the user's privacy settings allow, so a shown
 * address of such an account is vouched for. Jira Service Management customers (accountType
 * "customer") can be created by an agent with any address, and app accounts have none: not verified.
 * Data Center never verifies addresses (an administrator or a directory sets them): not verified.
 */
export function person(v: unknown): Person | null {
  const u = obj(v);
  const id = text(u.accountId) ?? text(u.key) ?? text(u.name);
  if (id === null) return null;
  const email = text(u.emailAddress);
  const verified = email !== null && email !== '' && text(u.accountId) !== null && u.accountType === 'atlassian';
  return { external_id: id, name: text(u.displayName) ?? text(u.name), email, email_verified: verified };
}
