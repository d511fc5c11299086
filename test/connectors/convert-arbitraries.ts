/**
 * fast-check generators shared by the converters' property tests, and the time bounds they
 * check. The bounds are CPU time (cpuMs), generous on purpose: a linear converter takes a
 * few ms to ~150 ms for 100 KB, a quadratic one seconds, so only a quadratic path breaks them,
 * however loaded the machine running the tests is.
 */
import fc from 'fast-check';
import { cpuMs, repeatTo } from './convert-cases.js';

/** CPU budget for 100 KB of hostile input. */
export const MS_PER_100KB = 500;
/** CPU budget for a 1 MB hostile field: "well under a second" with room for a slow CI core. */
export const MS_PER_MB = 1500;

/** Random text mixing a converter's special tokens with arbitrary characters (lone surrogates included). */
export function soup(tokens: string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...tokens), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom(' ', '\n', 'word'));
  return fc.array(piece, { maxLength: 120 }).map((parts) => parts.join(''));
}

/** Words of letters only: no converter has a reason to escape or drop them. */
export const words = fc.array(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: 1, maxLength: 12 });

/** One or two tokens (with an optional letter) repeated to `bytes`: the shapes that break quadratic code. */
export function repetition(tokens: string[], bytes: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...tokens), fc.constantFrom('', ...tokens), fc.constantFrom('', 'x', ' '))
    .map(([a, b, c]) => repeatTo(a + b + c, bytes));
}

/** Asserts `convert` stays within `ms` CPU on `input`, with the input's start in the message. */
export function expectFast(convert: (input: string) => unknown, input: string, ms: number): void {
  const used = cpuMs(() => convert(input));
  if (used >= ms) throw new Error(`${used.toFixed(0)} ms CPU (bound ${ms}) for ${JSON.stringify(input.slice(0, 40))}… × ${input.length}`);
}
