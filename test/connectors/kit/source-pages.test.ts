import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../../src/connectors/kit/each.js';
import { sourcePages } from '../../../src/connectors/kit/source-pages.js';
import type { Listing } from '../../../src/connectors/kit/walker.js';

const never = new AbortController().signal;

describe('mapBounded', () => {
  it('runs at most `concurrency` tasks at once and keeps the order of results', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, never, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return n * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });

  it('after the first failure aborts the running tasks and starts no queued one', async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const run = mapBounded([1, 2, 3, 4, 5], 2, never, (n, signal) => {
      started.push(n);
      if (n === 1) return Promise.reject(new Error('boom'));
      return new Promise<never>((_, reject) => signal.addEventListener('abort', () => (aborted.push(n), reject(signal.reason))));
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
    expect(aborted).toEqual([2]);
  });
});

describe('sourcePages', () => {
  const listing = (total: number | null): Listing<number, string> => ({
    what: 'Test items', cursorName: 'page number',
    fetch: async (n) => ({ records: [`a${n}`, `b${n}`], next: n < 3 ? n + 1 : null, total }),
    cursorKey: String, recordKey: (r) => r,
  });

  it('counts the records of earlier runs, never says less than delivered, and settles on the count at the end', async () => {
    const walk = { listing: listing(4), start: 1, before: 10, encode: (n: number) => `page-${n}` };
    const pages = [];
    for await (const p of sourcePages(walk, never)) pages.push(p);
    expect(pages.map((p) => [p.cursor, p.total])).toEqual([['page-2', 12], ['page-3', 14], [null, 16]]);
  });

  it('completes each page while the walker already fetches the next one', async () => {
    const fetched: number[] = [];
    const base = listing(null);
    const walk = {
      listing: { ...base, fetch: (n: number, s: AbortSignal) => (fetched.push(n), base.fetch(n, s)) },
      start: 1, before: 0, encode: String,
      complete: async (records: string[]) => {
        await new Promise((r) => setTimeout(r, 5));
        return records.map((r) => `${r} (fetched so far: ${fetched.join(',')})`);
      },
    };
    const pages = [];
    for await (const p of sourcePages(walk, never)) pages.push(p);
    expect(pages[0]!.records[0]).toBe('a1 (fetched so far: 1,2)');
    expect(pages.map((p) => p.total)).toEqual([null, null, 6]);
  });
});
