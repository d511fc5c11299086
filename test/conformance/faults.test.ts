/**
 * Conformance, a source that refuses: credentials it does not accept, a scope that does not exist
 * and a persistent server error end the job with the contract's code and store nothing; a 429
 * with Retry-After is waited out without a request during the wait (CONTRACT §6 "Vendor errors").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import type { SourceUnderTest } from './source.js';
import { byType, commentMap, runJob, sortedValues, startConformanceHarness, storedItems } from './jobs.js';

let h: Harness;
let sut: SourceUnderTest | null = null;
beforeAll(async () => {
  h = await startConformanceHarness();
});
afterAll(async () => h?.cleanup());
afterEach(async () => {
  await sut?.fake.close();
  sut = null;
});

describe.each(byType)('%s conformance: a source that refuses', (_type, source) => {
  it.each([
    { name: '401 on every request', fault: { kind: 'unauthorized' } as const, code: 'SOURCE_AUTH_FAILED', message: /401/ },
    { name: 'a persistent 500', fault: { kind: 'status', status: 500 } as const, code: 'SOURCE_UNAVAILABLE', message: /unavailable: HTTP 500/ },
  ])('$name fails the job with $code, nothing stored, no credential in the message', async ({ fault, code, message }) => {
    sut = await source.start({ items: 30 });
    sut.fake.inject({ ...fault, times: Infinity });
    const done = await runJob(h, source, sut);
    expect(done).toMatchObject({ status: 'failed', error_code: code });
    expect(done.error_message).toMatch(message);
    const secrets = Object.entries(sut.config()).filter(([k]) => source.module.secretFields.includes(k)).map(([, v]) => String(v));
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(done.error_message).not.toContain(secret);
    expect(await storedItems(h, source, sut)).toHaveLength(0);
  });

  it('a scope that does not exist fails the job with SOURCE_NOT_FOUND naming it', async () => {
    sut = await source.start({ items: 5 });
    const done = await runJob(h, source, sut, { missing: true });
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_NOT_FOUND' });
    const present = sut.config();
    const named = Object.entries(sut.config({ missing: true })).filter(([k, v]) => present[k] !== v).map(([, v]) => String(v));
    expect(named).toHaveLength(1);
    expect(done.error_message).toContain(named[0]);
    expect(await storedItems(h, source, sut)).toHaveLength(0);
  });

  it('429 with Retry-After: 1 is waited out with no request during the wait, then the import completes exactly', async () => {
    sut = await source.start({ items: 30 });
    sut.fake.inject({ kind: 'rate-limited', retryAfterSec: 1 });
    const done = await runJob(h, source, sut);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 30, processed_items: 30, successful_items: 30 });
    expect(commentMap(await storedItems(h, source, sut))).toEqual(sortedValues(sut.expected()));
    const [limited, ...rest] = sut.fake.requests;
    expect(limited!.status).toBe(429);
    expect(rest.length).toBeGreaterThan(0);
    // Retry-After counts from the answer, which leaves the fake after its arrival: a lower bound
    expect(Math.min(...rest.map((r) => r.at)) - limited!.at).toBeGreaterThanOrEqual(990);
  });
});
