/**
 * Driver errors (pg and PGlite alike) become StoreError (STORE_UNAVAILABLE) with every secret cut
 * out of the message, classified by SQLSTATE: an outage (retry later) or a refusal of the data (the
 * item at fault fails alone) — the runner treats the two in opposite ways.
 */
import { StoreError, type StoreFailure } from '../errors.js';

const PREFIX = 'database error: ';

/** Wraps any driver error as StoreError, removing the given secrets from its message. */
export function storeError(err: unknown, secrets: readonly string[]): StoreError {
  let message = err instanceof Error ? err.message : String(err);
  for (const secret of secrets) {
    if (secret) message = message.split(secret).join('***');
  }
  const sqlstate = sqlstateOf(err);
  return new StoreError(`${PREFIX}${message}`, sqlstate === null ? 'outage' : failureOf(sqlstate), sqlstate);
}

/** The database's own words for a refusal, as an item's `error` (secrets already cut by storeError). */
export function refusalReason(err: StoreError): string {
  const text = err.message.startsWith(PREFIX) ? err.message.slice(PREFIX.length) : err.message;
  return `refused by the database (SQLSTATE ${err.sqlstate ?? '?'}): ${text.slice(0, 1000)}`;
}

/**
 * Both drivers answer a server-side error with its SQLSTATE in `code` beside a `severity`; an error
 * without one (ECONNREFUSED, "Connection terminated unexpectedly", a connect timeout, a closed
 * PGlite) never reached a working database: an outage.
 */
function sqlstateOf(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string' ? code : null;
}

/** SQLSTATEs of a database that cannot answer now: a later try may succeed. */
const OUTAGE_STATES = new Set(['57P01', '57P02', '57P03', '57014']);

/**
 * 08 connection exception, 53 insufficient resources, 58 system (I/O) error, 57P01-03 shutdown /
 * cannot connect now, 57014 statement timeout or cancel: outage. 22 data exception (a date out of
 * range, a bad number), 23 integrity constraint, 54 program limit (an index row over the btree
 * limit, a value nested too deep): the data is refused. Anything else (a deadlock, a bug): fault.
 */
export function failureOf(sqlstate: string): StoreFailure {
  const cls = sqlstate.slice(0, 2);
  if (cls === '08' || cls === '53' || cls === '58' || OUTAGE_STATES.has(sqlstate)) return 'outage';
  if (cls === '22' || cls === '23' || cls === '54') return 'refused';
  return 'fault';
}

export function urlSecrets(url: string): string[] {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    // An unparsable URL may still hold a password somewhere: the whole text is hidden below.
  }
  return [url, password, safeDecode(password)].filter((s) => s.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
