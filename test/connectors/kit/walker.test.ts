import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { collectPages, MAX_PLANNED, walkPages, type Fetched, type Listing } from '../../../src/connectors/kit/walker.js';
import { SeenKeys } from '../../../src/connectors/kit/seen.js';

type Page = Fetched<number, string>;

/** A listing over a function from page number to page, logging every fetch (started and aborted). */
function listing(pageAt: (n: number) => Page, extra: Partial<Listing<number, string>> = {}) {
  const fetched: number[] = [];
  const aborted: number[] = [];
  const l: Listing<number, string> = {
    what: 'Test items', cursorName: 'page number',
    fetch: async (n, signal) => {
      fetched.push(n);
      await new Promise((r) => setTimeout(r, 1));
      if (signal.aborted) {
        aborted.push(n);
        throw signal.reason;
      }
      return pageAt(n);
    },
    cursorKey: String, recordKey: (r) => r, ...extra,
  };
  return { l, fetched, aborted };
}

const items = (n: number, size = 2) => Array.from({ length: size }, (_, i) => `r${n}-${i}`);
const never = new AbortController().signal;

async function drain<R>(gen: AsyncGenerator<{ records: R[] }, void, unknown>) {
  const out: R[][] = [];
  for await (const p of gen) out.push(p.records);
  return out;
}

describe('walkPages', () => {
  it('walks every page in order and ends at a null next', async () => {
    const { l } = listing((n) => ({ records: items(n), next: n < 4 ? n + 1 : null }));
    expect((await drain(walkPages(l, 1, never))).flat()).toEqual([1, 2, 3, 4].flatMap((n) => items(n)));
  });

  it('fetches the next page before handing out the current one', async () => {
    const { l, fetched } = listing((n) => ({ records: items(n), next: n < 3 ? n + 1 : null }));
    const gen = walkPages(l, 1, never);
    await gen.next();
    expect(fetched).toEqual([1, 2]);
    await gen.return(undefined);
  });

  it('fetches planned pages a window ahead, hands them out in order, then follows next again', async () => {
    const { l, fetched } = listing(
      (n) => ({ records: items(n), next: n < 7 ? n + 1 : null, planned: n === 1 ? [3, 4, 5] : undefined }),
      { window: 3 },
    );
    const gen = walkPages(l, 1, never);
    await gen.next();
    expect(fetched).toEqual([1, 2, 3, 4]);
    const rest = await drain(gen);
    expect(rest.flat()).toEqual([2, 3, 4, 5, 6, 7].flatMap((n) => items(n)));
  });

  it(`takes at most MAX_PLANNED planned cursors from a page, then plans again from the last one's next`, async () => {
    let keyed = 0;
    const huge = Array.from({ length: 1_000_000 }, (_, i) => i + 3); // a source naming page 10^6 as its last
    const { l, fetched } = listing((n) => ({ records: items(n), next: n < 250 ? n + 1 : null, planned: n === 1 ? huge : undefined }), {
      window: 4,
      cursorKey: (n) => (keyed++, String(n)),
    });
    expect((await drain(walkPages(l, 1, never))).flat()).toEqual(Array.from({ length: 250 }, (_, i) => items(i + 1)).flat());
    expect(fetched).toHaveLength(250);
    expect(keyed).toBeLessThan(2 * 250 + MAX_PLANNED);
  });

  it('leaves nothing attached to the caller\'s signal, however many walks it ran', async () => {
    const caller = new AbortController();
    const { l } = listing((n) => ({ records: items(n), next: n < 2 ? n + 1 : null }));
    for (let i = 0; i < 50; i++) await collectPages(l, 1, caller.signal);
    const gen = walkPages(l, 1, caller.signal);
    await gen.next();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    await gen.return(undefined);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('fails at once on a next cursor that repeats, naming it', async () => {
    const { l } = listing((n) => ({ records: items(n), next: n < 3 ? n + 1 : 2 }));
    await expect(drain(walkPages(l, 1, never))).rejects.toMatchObject({
      code: 'SOURCE_RESPONSE_INVALID',
      message: expect.stringMatching(/Test items: the page number did not advance/),
    });
  });

  it('fails after three pages of records it has already seen', async () => {
    const { l, fetched } = listing((n) => ({ records: items(0), next: n + 1 }));
    await expect(drain(walkPages(l, 1, never))).rejects.toThrow(/3 pages in a row brought no new record/);
    expect(fetched.length).toBeLessThanOrEqual(5);
  });

  it('fails after three empty pages unless empty pages are normal for the listing', async () => {
    const pageAt = (n: number): Page => ({ records: n % 5 === 0 ? items(n) : [], next: n < 20 ? n + 1 : null });
    await expect(drain(walkPages(listing(pageAt).l, 1, never))).rejects.toThrow(/no new record/);
    const ok = await drain(walkPages(listing(pageAt, { emptyPagesAdvance: true }).l, 1, never));
    expect(ok.flat()).toEqual([5, 10, 15, 20].flatMap((n) => items(n)));
  });

  it('fails when a source keeps serving new records far past its declared total', async () => {
    const { l, fetched } = listing((n) => ({ records: items(n, 10), next: n + 1, total: 100 }));
    await expect(drain(walkPages(l, 1, never))).rejects.toThrow(/far beyond its declared total of 100/);
    expect(fetched.length).toBeLessThanOrEqual(23);
  });

  it('tolerates a declared total that is a little short', async () => {
    const { l } = listing((n) => ({ records: items(n, 10), next: n < 12 ? n + 1 : null, total: 100 }));
    expect((await drain(walkPages(l, 1, never))).length).toBe(12);
  });

  it('aborts the prefetched pages when the consumer stops early', async () => {
    const { l, aborted } = listing((n) => ({ records: items(n), next: n + 1, planned: n === 1 ? [3, 4] : undefined }), { window: 3 });
    for await (const _ of walkPages(l, 1, never)) break;
    await new Promise((r) => setTimeout(r, 20));
    expect(aborted.length).toBeGreaterThan(0);
  });

  it('hands out no page after the caller aborts', async () => {
    const ctl = new AbortController();
    const { l } = listing((n) => ({ records: items(n), next: n + 1 }));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const p of walkPages(l, 1, ctl.signal)) {
          seen.push(p.delivered);
          if (seen.length === 2) ctl.abort(new Error('cancelled'));
        }
      })(),
    ).rejects.toThrow('cancelled');
    expect(seen).toEqual([2, 4]);
  });

  it('collectPages refuses an endless listing of new records that declares no total', async () => {
    const { l, fetched } = listing((n) => ({ records: items(n, 1000), next: n + 1 }));
    await expect(collectPages(l, 1, never)).rejects.toThrow(/Test items: more than 100000 records without a declared total/);
    expect(fetched.length).toBeLessThanOrEqual(103);
  });

  it('collectPages gathers a short listing', async () => {
    const { l } = listing((n) => ({ records: items(n), next: n < 2 ? n + 1 : null }));
    expect(await collectPages(l, 1, never)).toEqual([...items(1), ...items(2)]);
  });
});

describe('SeenKeys', () => {
  it('answers exactly while small and without false negatives once it is a Bloom filter', () => {
    const seen = new SeenKeys(100);
    for (let i = 0; i < 100; i++) expect(seen.add(`k${i}`)).toBe(false);
    for (let i = 0; i < 100; i++) expect(seen.add(`k${i}`)).toBe(true);
    for (let i = 100; i < 5000; i++) seen.add(`k${i}`);
    let falsePositives = 0;
    for (let i = 0; i < 5000; i++) expect(seen.add(`k${i}`)).toBe(true);
    for (let i = 5000; i < 15000; i++) if (seen.add(`k${i}`)) falsePositives++;
    expect(falsePositives).toBeLessThan(5);
  });
});
