import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonBytes } from '../../src/items/size.js';

describe('jsonBytes', () => {
  it('equals the UTF-8 length of JSON.stringify for any JSON value (well-formed strings)', () => {
    const text = fc.string({ unit: 'grapheme' });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.integer(), text,
        fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(fc.property(value, (v) => jsonBytes(v) === Buffer.byteLength(JSON.stringify(v), 'utf8')), { numRuns: 500 });
  });

  it('counts escapes of quotes, backslashes and control characters', () => {
    for (const s of ['"\\', '\n\t\r\b\f', '\u0000\u001f', 'a"b\u0007c']) expect(jsonBytes({ s })).toBe(Buffer.byteLength(JSON.stringify({ s })));
  });

  it('skips undefined members as JSON does, and writes them as null in arrays', () => {
    expect(jsonBytes({ a: undefined, b: 1 })).toBe(JSON.stringify({ b: 1 }).length);
    expect(jsonBytes([undefined, 1])).toBe(JSON.stringify([undefined, 1]).length);
  });
});
