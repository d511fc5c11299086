import { describe, expect, it } from 'vitest';
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

  it('never lets the total fall below what was processed, nor the percentage go down', () => {
    let p = advance(emptyProgress(), { successful: 10, failed: 0, skipped: 0 }, 40, 10, rate, true);
    expect(p.percentage).toBe(25);
    // an approximate count that shrinks (Jira approximate-count, ACL-hidden ServiceNow rows)
    p = advance(p, { successful: 10, failed: 0, skipped: 0 }, 15, 10, rate, true);
    expect(p.total_items).toBe(20);
    expect(p.percentage).toBeGreaterThanOrEqual(25);
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
});
