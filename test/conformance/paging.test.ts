/**
 * Conformance, paging that does not advance (CONTRACT §7): the fake answers every listing page
 * after the first with the first one again, so its next link, page token or keyset cursor repeats
 * and the records are ones this run has already seen. The job must fail with
 * SOURCE_RESPONSE_INVALID, naming what did not advance, within 60 s and a handful of pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type Harness } from '../support/harness.js';
import type { SourceUnderTest } from './source.js';
import { byType, createJob, listingPages, startConformanceHarness } from './jobs.js';

/** 3 pages of seen records, the first page, and a prefetch window: more means paging went on. */
const MAX_PAGES = 10;

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

describe.each(byType)('%s conformance: paging that does not advance', (_type, source) => {
  it('fails with SOURCE_RESPONSE_INVALID naming what did not advance, within 60 s and a few pages', async () => {
    sut = await source.start({ items: 100 });
    sut.fake.inject({ kind: 'loop' });
    const job = await createJob(h, source, sut);
    const pages = () => listingPages(source, sut!.fake.requests).length;
    // Stop watching as soon as the paging has clearly gone on: a loop must not be waited out.
    const end = await h.waitFor(job.job_id, (j) => isTerminal(j) || pages() > MAX_PAGES, 60_000);
    expect(pages(), `listing pages requested while the job was ${end.status}`).toBeLessThanOrEqual(MAX_PAGES);
    expect(end).toMatchObject({ status: 'failed', error_code: 'SOURCE_RESPONSE_INVALID' });
    expect(end.error_message).toMatch(/advance|repeat/i);
    expect(end.error_message).toMatch(source.pagingNoun);
    expect(Date.parse(end.completed_at!) - Date.parse(end.created_at)).toBeLessThan(60_000);
  });
});
