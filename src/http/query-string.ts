/**
 * Query strings are read the WHATWG way (URLSearchParams): every percent-escape is decoded, and a
 * malformed UTF-8 sequence becomes U+FFFD. Fastify's default keeps a value whose escapes do not
 * decode as its raw text, so `tenant_id=%00%ED%A0%80` would reach a filter as the literal
 * "%00%ED%A0%80" and hide the NUL the validator refuses. A repeated name gives an array, as before.
 */
export function parseQueryString(text: string): Record<string, string | string[]> {
  // A null prototype: a parameter named __proto__ is a parameter, not a prototype.
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
