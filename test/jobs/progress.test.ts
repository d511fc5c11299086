import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { advance, completed } from '../../src/jobs/progress.js';
import { emptyProgress } from '../../src/jobs/create.js';

const rate = { items: 0, seconds: 0 };

describe('progress arithmetic', () => {
  it('keeps processed = successful + failed + skipped and percentage with one decimal', () => {
    const p = advance(emptyProgress(), { successful: 2, failed: 1, skipped: 0 }, 9, 3, { items: 3, seconds: 1 }, true);
    expect(p).toMatchObject({ processed_items: 3, successful_items: 2, failed_items: 1, total_items: 9, percentage: 33.3, current_batch: 1, total_batches: 3 });
    expect(p.estimated_time_remaining).toBe(2);
  });

  it.each([
    [2, 3, 66.7],
    [1, 6, 16.7],
    [1, 8, 12.5],
    [2999, 3000, 99.9],
  ])('%i of %i is %s%: rounded to one decimal, 100.0 only when completed', (done, total, percentage) => {
    const p = advance(emptyProgress(), { successful: done, failed: 0, skipped: 0 }, total, 1000, rate, true);
    expect(p.percentage).toBe(percentage);
  });

  it('an undercounting source at its count with pages left is not yet 100', () => {
    const p = advance(emptyProgress(), { successful: 20, failed: 0, skipped: 0 }, 20, 10, rate, true);
    expect(p).toMatchObject({ total_items: 20, processed_items: 20, percentage: 99.9 });
  });

  it('never lowers the total while pages remain, nor lets it fall below what was processed', () => {
    // the wobble that was seen: a source total of 1005, then 1000, then 1001
    let p = advance(emptyProgress(), { successful: 100, failed: 0, skipped: 0 }, 1005, 100, rate, true);
    expect(p.total_items).toBe(1005);
    p = advance(p, { successful: 100, failed: 0, skipped: 0 }, 1000, 100, rate, true);
    expect(p.total_items).toBe(1005);
    p = advance(p, { successful: 100, failed: 0, skipped: 0 }, 1001, 100, rate, true);
    expect(p.total_items).toBe(1005);
    // an approximate count far below what was processed
    p = advance(p, { successful: 100, failed: 0, skipped: 0 }, 15, 100, rate, true);
    expect(p).toMatchObject({ total_items: 1005, processed_items: 400, percentage: 39.8 });
  });

  it('never shows the last batch while pages remain (the "batch 11/11 at 73 %" that was seen)', () => {
    let p = emptyProgress();
    for (let i = 0; i < 11; i++) p = advance(p, { successful: 73, failed: 0, skipped: 0 }, 1100, 100, rate, true);
    expect(p.current_batch).toBe(11);
    expect(p.total_batches).toBeGreaterThan(11);
    expect(p.percentage).toBe(73);
    p = completed(advance(p, { successful: 27, failed: 0, skipped: 0 }, 1100, 100, rate, false));
    expect(p).toMatchObject({ current_batch: 12, total_batches: 12, total_items: 830, processed_items: 830, percentage: 100 });
  });

  it('a source that cannot count stays below 100% while pages remain', () => {
    let p = advance(emptyProgress(), { successful: 10, failed: 0, skipped: 0 }, null, 10, rate, true);
    expect(p.total_items).toBe(20);
    expect(p.percentage).toBe(50);
    p = advance(p, { successful: 10, failed: 0, skipped: 0 }, null, 10, rate, true);
    expect(p.percentage).toBeLessThan(100);
    p = completed(advance(p, { successful: 5, failed: 0, skipped: 0 }, null, 10, rate, false));
    expect(p).toMatchObject({ total_items: 25, processed_items: 25, percentage: 100, estimated_time_remaining: 0 });
  });

  it('the ETA is unknown until a rate is observed', () => {
    expect(advance(emptyProgress(), { successful: 1, failed: 0, skipped: 0 }, 10, 1, rate, true).estimated_time_remaining).toBeNull();
  });

  it('for any batches and source totals: total rises until completion and covers processed, percentage never drops, batch ≤ total_batches', () => {
    const batch = fc.record({
      counts: fc.record({ successful: fc.nat(120), failed: fc.nat(5), skipped: fc.nat(30) }),
      sourceTotal: fc.option(fc.nat(5000), { nil: null }),
      seconds: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(fc.property(fc.array(batch, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 200 }), (batches, batchSize) => {
      let p = emptyProgress();
      batches.forEach((b, i) => {
        const more = i < batches.length - 1;
        const next = advance(p, b.counts, b.sourceTotal, batchSize, { items: processedAfter(p, b.counts), seconds: b.seconds }, more);
        expect(next.total_items).toBeGreaterThanOrEqual(p.total_items);
        expect(next.total_items).toBeGreaterThanOrEqual(next.processed_items);
        expect(next.percentage).toBeGreaterThanOrEqual(p.percentage);
        expect(next.percentage).toBeLessThanOrEqual(100);
        expect(next.current_batch).toBeLessThanOrEqual(next.total_batches);
        if (more) expect(next.current_batch).toBeLessThan(next.total_batches);
        if (more) expect(next.percentage).toBeLessThan(100);
        expect(next.total_batches).toBeGreaterThanOrEqual(p.total_batches);
        expect(next.estimated_time_remaining === null || next.estimated_time_remaining >= 0).toBe(true);
        p = next;
      });
      const done = completed(p);
      expect(done).toMatchObject({ total_items: p.processed_items, percentage: 100, total_batches: p.current_batch, current_batch: batches.length });
    }), { numRuns: 300 });
  });
});

const processedAfter = (p: ReturnType<typeof emptyProgress>, c: { successful: number; failed: number; skipped: number }) =>
  p.processed_items + c.successful + c.failed + c.skipped;
