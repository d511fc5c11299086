/**
 * fast-check arbitraries read off the API's TypeBox schemas (plain JSON Schema): `validOf` makes a
 * value the schema accepts, `invalidOf` one it must refuse — a valid value with exactly one thing
 * broken somewhere inside (wrong type, missing required, unknown field, out of range, bad format).
 * Only the schema features the API's request schemas use are read.
 */
import fc from 'fast-check';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

/** Timestamps JavaScript or PostgreSQL read differently, or not at all. */
export const BAD_TIMESTAMPS = [
  '2016-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z',
  '2024-01-01T24:00:00Z', '10000-01-01T00:00:00Z', '-0001-01-01T00:00:00Z', '+002024-01-01T00:00:00Z',
  // valid RFC 3339 text whose instant falls outside years 0001–9999 in UTC
  '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00',
  '2024-01-01', '2024-01-01T00:00:00', '2024-01-01T00:00Z', 'yesterday', '1704067200', 'NaN', '', ' ',
];

export const BAD_UUIDS = [
  '', 'x', 'not-a-uuid', '00000000-0000-0000-0000-00000000000', '00000000-0000-0000-0000-0000000000000',
  'urn:uuid:00000000-0000-4000-8000-000000000000', '{00000000-0000-4000-8000-000000000000}',
  '000000000000400080000000000000000', 'g0000000-0000-4000-8000-000000000000', '../../etc/passwd',
  '00000000-0000-4000-8000-00000000000\u0000', '💥'.repeat(40), 'a'.repeat(5000),
];

export const BAD_URIS = ['', 'not a url', 'hooks.example.com/x', 'javascript:alert(1)', 'ftp://x/y', 'http://', 'https://[::1', `https://x.example/${'a'.repeat(3000)}`];

/** Strings with what breaks naive handling: NUL and control characters, lone surrogates, RTL, emoji. */
export const nastyString = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\n', '\r', '\u2028', '\u202e', '\ud800', '\udfff', '💥', '%', '\\', '"', "'", '_'), maxLength }),
    fc.constantFrom('\u0000', 'a\u0000b', '%00', '\ud800', "'; DROP TABLE work_items; --", '%_\\'),
  );

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

/** Values of every JSON type but `type` (and not null where null is allowed). */
function wrongType(types: string[]): fc.Arbitrary<unknown> {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.oneof(fc.constantFrom('', '1', 'true', 'null'), nastyString(20))],
    ['integer', fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1e300))],
    ['number', fc.double({ noNaN: true, noDefaultInfinity: true })],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.constantFrom([], [1], ['a'], nested(3000))],
    ['object', fc.constantFrom({}, { a: 1 }, nested(3001))],
  ];
  const numeric = types.includes('number') || types.includes('integer');
  return fc.oneof(
    ...all
      .filter(([t]) => !types.includes(t) && !(numeric && (t === 'integer' || t === 'number')))
      .map(([, a]) => a),
  );
}

const typesOf = (s: Schema): string[] => (s.type === undefined ? [] : ([] as string[]).concat(s.type));

/** A TypeBox schema is plain JSON Schema; only the fields above are read. */
export function validOf(schema: object): fc.Arbitrary<unknown> {
  const s = schema as Schema;
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return fc.oneof(...variants.map(validOf));
  if (s.enum) return fc.constantFrom(...s.enum.filter((v) => v !== null));
  const type = typesOf(s).find((t) => t !== 'null');
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'timestamp' || s.format === 'date-time') {
        return fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      }
      if (s.format === 'uri') return fc.constant('https://hooks.example.com/x');
      if (s.pattern === '^https?://') return fc.constant('https://source.example.com');
      return fc.string({ unit: 'grapheme-ascii', minLength: Math.max(1, s.minLength ?? 0), maxLength: Math.min(s.maxLength ?? 20, 20) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validOf(s.items ?? {}), { maxLength: 3 });
    case 'object': {
      if (!s.properties) return fc.constant({});
      const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, validOf(v)]));
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.constant('any');
  }
}

/** null when the schema accepts every value (nothing to break). */
export function invalidOf(schema: object): fc.Arbitrary<unknown> | null {
  const s = schema as Schema;
  if (s.anyOf ?? s.oneOf) return null; // what breaks every branch at once is not worth modelling
  const types = typesOf(s);
  if (types.length === 0 && !s.enum) return null;
  const out: fc.Arbitrary<unknown>[] = [];
  if (types.length) out.push(wrongType(types));
  if (s.enum) out.push(fc.oneof(fc.constantFrom('', 'JIRA', 'completed ', 'null'), nastyString(20)).filter((v) => !s.enum!.includes(v)));
  const main = types.find((t) => t !== 'null');
  if (main === 'string' && !s.enum) {
    if (s.maxLength !== undefined) {
      const max = s.maxLength;
      out.push(fc.oneof(
        fc.string({ unit: 'grapheme', minLength: max + 1, maxLength: max + 40 }),
        fc.integer({ min: max + 1, max: 200_000 }).map((n) => 'é'.repeat(n)),
      ));
    }
    if ((s.minLength ?? 0) >= 1) out.push(fc.constant(''));
    if (s.format === 'uuid') out.push(fc.constantFrom(...BAD_UUIDS));
    if (s.format === 'timestamp') out.push(fc.constantFrom(...BAD_TIMESTAMPS));
    if (s.format === 'uri') out.push(fc.constantFrom(...BAD_URIS));
    if (s.format === 'text') out.push(fc.tuple(nastyString(20), nastyString(20)).map(([x, y]) => `${x}\u0000${y}`));
    if (s.pattern) out.push(fc.constantFrom('', 'ftp://x', 'source.example.com', ' https://x'));
  }
  if (main === 'integer' || main === 'number') {
    if (main === 'integer') out.push(fc.constantFrom(1.5, 0.1, -2.5, 1e-9 + 1));
    if (s.minimum !== undefined) out.push(fc.constantFrom(s.minimum - 1, s.minimum - 1e6, -1e300));
    if (s.maximum !== undefined) out.push(fc.constantFrom(s.maximum + 1, s.maximum + 1e6, 1e300));
  }
  if (main === 'array' && s.items) {
    const bad = invalidOf(s.items);
    if (bad) out.push(fc.tuple(fc.array(validOf(s.items), { maxLength: 2 }), bad).map(([ok, b]) => [...ok, b]));
  }
  if (main === 'object') out.push(...objectBreaks(s));
  return fc.oneof(...out);
}

function objectBreaks(s: Schema): fc.Arbitrary<unknown>[] {
  const base = validOf(s) as fc.Arbitrary<Record<string, unknown>>;
  const out: fc.Arbitrary<unknown>[] = [];
  const props = s.properties ?? {};
  if (s.additionalProperties === false) {
    const unknownKey = fc.oneof(fc.constantFrom('api_tokn', '__proto__', 'constructor', '', ' ', 'a'.repeat(10_000)), nastyString(30))
      .filter((k) => !(k in props));
    out.push(fc.tuple(base, unknownKey, fc.oneof(fc.string(), fc.constant(nested(2000)))).map(([v, k, x]) => {
      // defineProperty: `__proto__` must be an own field of the JSON, not the prototype
      const copy = { ...v };
      Object.defineProperty(copy, k, { value: x, enumerable: true, writable: true, configurable: true });
      return copy;
    }));
  }
  const required = s.required ?? [];
  if (required.length) {
    out.push(fc.tuple(base, fc.constantFrom(...required)).map(([v, k]) => {
      const { [k]: _gone, ...rest } = v;
      return rest;
    }));
  }
  const breakable = Object.entries(props)
    .map(([k, p]) => [k, invalidOf(p)] as const)
    .filter((e): e is readonly [string, fc.Arbitrary<unknown>] => e[1] !== null);
  if (breakable.length) {
    out.push(fc.tuple(base, fc.oneof(...breakable.map(([k, bad]) => bad.map((b) => [k, b] as const))))
      .map(([v, [k, b]]) => ({ ...v, [k]: b })));
  }
  return out;
}
