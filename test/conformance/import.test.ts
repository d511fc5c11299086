/**
 * Conformance, the plain case: every source imports its fake's items through the jobs core with
 * exact counts, each item stored once with exactly its comments.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import type { SourceUnderTest } from './source.js';
import { BATCH, byType, commentMap, createJob, sortedValues, startConformanceHarness, storedItems } from './jobs.js';

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

describe.each(byType)('%s conformance: exact import', (_type, source) => {
  it('45 items with their comments: exact counts, each item once with exactly its comments', async () => {
    sut = await source.start({ items: 45 });
    const job = await createJob(h, source, sut);
    expect(job.source).toMatchObject({ scope: sut.scope });
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'completed', error_code: null, error_message: null });
    expect(done.progress, JSON.stringify(done.progress)).toMatchObject({
      total_items: 45, processed_items: 45, successful_items: 45, failed_items: 0, skipped_items: 0,
      percentage: 100, current_batch: Math.ceil(45 / BATCH),
    });
    const items = await storedItems(h, source, sut);
    expect(items).toHaveLength(45);
    expect(commentMap(items)).toEqual(sortedValues(sut.expected()));
    expect([...sut.expected().values()].flat().length).toBeGreaterThan(20); // comments really were part of it
  });
});
