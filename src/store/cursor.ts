/** Opaque paging cursors: base64url JSON of the last row's sort key. A tampered cursor is a 422. */
import { AppError } from '../errors.js';

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A cursor field's check: a pattern, or a predicate for what a pattern cannot say (a range). */
export type FieldCheck = RegExp | ((part: string) => boolean);

const passes = (check: FieldCheck | undefined, part: string): boolean =>
  check instanceof RegExp ? check.test(part) : check !== undefined && check(part);

/** An integer text within [min, max]: cursors never carry a value the database would refuse. */
export function integerIn(min: bigint, max: bigint): FieldCheck {
  return (part) => /^-?\d{1,20}$/.test(part) && BigInt(part) >= min && BigInt(part) <= max;
}

/** Decodes a cursor made by encodeCursor whose fields pass `checks` one by one. */
export function decodeCursor(cursor: string, checks: readonly FieldCheck[]): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (
    !Array.isArray(key) ||
    key.length !== checks.length ||
    !key.every((part, i) => typeof part === 'string' && passes(checks[i], part))
  ) {
    throw new AppError('VALIDATION_ERROR', 'cursor is not valid', [
      { path: '/cursor', message: 'use the next_cursor of a previous page' },
    ]);
  }
  return key as string[];
}
