/**
 * The top-level `tenant_id` of a stored job record, read from its JSON text without parsing the
 * whole record (up to ~110 KB with 1,000 imported_items): GET /api/imports/{id} checks the tenant,
 * then sends the stored text as it is. Works on every record ever written (JSON.stringify at
 * creation, cjson in save.lua, key order arbitrary): nothing about the format changes.
 *
 * Why a text search is sound: in JSON an unescaped `"` always delimits a string, and a string's
 * closing quote cannot be followed by a letter, so `"tenant_id":` with its first quote unescaped
 * is the key tenant_id of some object (escaped, it ends a key such as `x\"tenant_id`; inside a
 * string value the text reads `\"tenant_id\":` and does not match at all). Every record has that key at the top level (creation writes it, saves
 * keep it, null included); when the text holds it exactly once, that one is the top-level key.
 * Anything else (the key twice, because a nested object has it too; no key; a value that is not
 * null or a plain string) falls back to a full parse.
 */

const KEY = '"tenant_id":';
const QUOTE = 34;
const BACKSLASH = 92;

/** The tenant (null = none), or undefined when the text is not a JSON object. */
export function recordTenant(json: string): string | null | undefined {
  const at = soleKey(json);
  if (at !== -1) {
    const v = at + KEY.length;
    if (json.startsWith('null', v)) return null;
    if (json.charCodeAt(v) === QUOTE) {
      const end = json.indexOf('"', v + 1);
      const value = end === -1 ? '' : json.slice(v + 1, end);
      // An escape inside the value (never in tenant names, [A-Za-z0-9._-]) is left to JSON.parse.
      if (end !== -1 && !value.includes('\\')) return value;
    }
  }
  return parsedTenant(json);
}

/** Index of the one unescaped `"tenant_id":` in the text, or -1 (none, or more than one). */
function soleKey(json: string): number {
  let found = -1;
  // Bounded: each turn starts past the previous match.
  for (let i = json.indexOf(KEY); i !== -1; i = json.indexOf(KEY, i + KEY.length)) {
    if (escapedAt(json, i)) continue;
    if (found !== -1) return -1;
    found = i;
  }
  return found;
}

/** True when the character at `i` follows an odd run of backslashes (it is escaped). */
function escapedAt(json: string, i: number): boolean {
  let run = 0;
  while (i - run - 1 >= 0 && json.charCodeAt(i - run - 1) === BACKSLASH) run++;
  return run % 2 === 1;
}

function parsedTenant(json: string): string | null | undefined {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const tenant = (record as { tenant_id?: unknown }).tenant_id;
  return typeof tenant === 'string' ? tenant : null;
}
