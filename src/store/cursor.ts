/** Opaque paging cursors: base64url JSON of the last row's sort key. A tampered cursor is a 422. */
import { AppError } from '../errors.js';

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor whose fields match `patterns` one by one. */
export function decodeCursor(cursor: string, patterns: readonly RegExp[]): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (
    !Array.isArray(key) ||
    key.length !== patterns.length ||
    !key.every((part, i) => typeof part === 'string' && patterns[i]?.test(part))
  ) {
    throw new AppError('VALIDATION_ERROR', 'cursor is not valid', [
      { path: '/cursor', message: 'use the next_cursor of a previous page' },
    ]);
  }
  return key as string[];
}
