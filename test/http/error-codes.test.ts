import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, JOB_ERROR_CODES } from '../../src/errors.js';
import type { sendError } from '../../src/http/plugins/errors.js';

type SendCode = Parameters<typeof sendError>[2];

describe('the error-code table', () => {
  it('is the only source of codes sendError accepts (tsc checks the expect-error lines)', () => {
    // @ts-expect-error a misspelt code does not compile
    const typo: SendCode = 'JOB_NOT_FOUN';
    const known: SendCode = 'JOB_NOT_FOUND';
    expect(typo in ERROR_STATUS).toBe(false);
    expect(ERROR_STATUS[known]).toBe(404);
  });

  it('gives every job error code an HTTP status', () => {
    for (const code of JOB_ERROR_CODES) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
  });
});
