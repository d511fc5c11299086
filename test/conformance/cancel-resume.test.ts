/**
 * Conformance, stopping mid-import: a cancel writes at most the batch in flight and then nothing
 * reaches the source (CONTRACT §6 "Batches and cancel"); a worker shut down mid-import hands the
 * job back, and the next worker resumes from the checkpoint with exact counts and without asking
 * the source again for a listing page it had stored or for the comments of a stored item.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../src/deps.js';
import type { Harness } from '../support/harness.js';
import type { SourceUnderTest } from './source.js';
import { BATCH, byType, createJob, listingPages, settled, startConformanceHarness } from './jobs.js';

let h: Harness;
let sut: SourceUnderTest | null = null;
beforeAll(async () => {
  h = await startConformanceHarness();
});
afterAll(async () => {
  await h?.worker?.close(); // the resume case replaces the harness's worker
  await h?.cleanup();
});
afterEach(async () => {
  await sut?.fake.close();
  sut = null;
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(byType)('%s conformance: cancel and resume', (_type, source) => {
  it('cancel mid-import: at most the batch in flight is written, then no request reaches the source', async () => {
    sut = await source.start({ items: 400, latencyMs: 30 });
    const job = await createJob(h, source, sut);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 2);
    expect((await h.deps.jobs.cancel(job.job_id, null)).status).toBe('cancelled');
    await settled(h, job.job_id);
    await pause(100); // a request already on the wire when the worker let go may still land
    const sent = sut.fake.requests.length;
    const written = (await h.deps.store.jobItems(job.job_id, { limit: 1000 })).items.length;
    await pause(300);
    expect(sut.fake.requests.length).toBe(sent);
    expect((await h.deps.store.jobItems(job.job_id, { limit: 1000 })).items).toHaveLength(written);
    const final = (await h.deps.records.get(job.job_id))!;
    expect(final.status).toBe('cancelled');
    expect(written - final.progress.processed_items).toBeGreaterThanOrEqual(0);
    expect(written - final.progress.processed_items).toBeLessThanOrEqual(BATCH);
    expect(listingPages(source, sut.fake.requests).length).toBeLessThan(400 / BATCH);
  });

  it('shutdown mid-import, resume on a new worker: exact counts, no stored page or comment fetched again', async () => {
    sut = await source.start({ items: 200, latencyMs: 15 });
    const job = await createJob(h, source, sut);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 2);
    await h.worker!.close();
    const before = (await h.deps.records.get(job.job_id))!;
    const stored = (await h.deps.store.jobItems(job.job_id, { limit: 1000 })).items;
    expect(before.status).toBe('processing');
    expect(stored).toHaveLength(before.progress.processed_items);
    expect(before.progress.processed_items).toBeLessThan(200); // really mid-import
    const firstRun = [...sut.fake.requests];
    const resumedAt = Date.now();
    h.worker = createWorker(h.deps);
    await h.worker.start();
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 200, processed_items: 200, successful_items: 200, failed_items: 0, skipped_items: 0 });
    const logged = (await h.deps.store.jobItems(job.job_id, { limit: 1000 })).items;
    expect(new Set(logged.map((i) => i.external_id)).size).toBe(200);
    expect(logged.filter((i) => i.action !== 'created')).toEqual([]);

    const key = (r: (typeof firstRun)[number]) => source.pageKey(r)!;
    const storedPages = new Set(listingPages(source, firstRun).filter((r) => r.status === 200).slice(0, before.progress.current_batch).map(key));
    expect(storedPages.size).toBe(before.progress.current_batch);
    const resumed = sut.fake.requests.filter((r) => r.at >= resumedAt);
    const resumedPages = listingPages(source, resumed).map(key);
    expect(resumedPages.length).toBeGreaterThan(0);
    expect(resumedPages.filter((k) => storedPages.has(k))).toEqual([]);
    const storedIds = new Set(stored.flatMap((i) => [i.external_id, i.key]));
    expect(resumed.flatMap((r) => source.commentsOf(r)).filter((id) => storedIds.has(id))).toEqual([]);
  });
});
