/**
 * The size of a value's JSON text in UTF-8 bytes, counted by walking the value instead of
 * serializing it, so a huge item is measured without building a second copy of it.
 * Lone surrogates count as U+FFFD (3 bytes): the store replaces them before sending.
 */
export function jsonBytes(value: unknown): number {
  let total = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') total += stringBytes(v);
    else if (typeof v === 'number') total += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'boolean') total += v ? 4 : 5;
    else if (Array.isArray(v)) {
      total += 1 + Math.max(v.length, 1);
      for (const el of v) pending.push(el === undefined || typeof el === 'function' ? null : el);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, el]) => el !== undefined && typeof el !== 'function');
      total += 1 + Math.max(entries.length, 1);
      for (const [key, el] of entries) {
        total += stringBytes(key) + 1;
        pending.push(el);
      }
    } else total += 4; // null
  }
  return total;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

function stringBytes(s: string): number {
  if (!NEEDS_ESCAPE.test(s)) return 2 + Buffer.byteLength(s, 'utf8');
  let escapes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) escapes += 1;
    else if (c < 0x20) escapes += 5;
  }
  return 2 + Buffer.byteLength(s, 'utf8') + escapes;
}
