import { describe, expect, it } from 'vitest';
import { prepareAhead } from '../../../src/connectors/kit/ahead.js';

async function* numbers(n: number, pulled: number[]) {
  for (let i = 1; i <= n; i++) {
    pulled.push(i);
    yield i;
  }
}

/** A preparation that finishes when the test says so, to observe what runs ahead. */
function gated() {
  const started: number[] = [];
  const release = new Map<number, () => void>();
  const prepare = (i: number) => {
    started.push(i);
    return new Promise<string>((resolve) => release.set(i, () => resolve(`p${i}`)));
  };
  const waitStarted = async (n: number) => {
    while (started.length < n) await new Promise((r) => setImmediate(r));
  };
  return { started, release, prepare, waitStarted };
}

describe('prepareAhead', () => {
  it('hands out every prepared page in source order, even when later ones finish first', async () => {
    const g = gated();
    const out: string[] = [];
    const consume = (async () => {
      for await (const p of prepareAhead(numbers(4, []), g.prepare, 2)) out.push(p);
    })();
    await g.waitStarted(2);
    g.release.get(2)!();
    g.release.get(1)!();
    await g.waitStarted(4);
    g.release.get(4)!();
    g.release.get(3)!();
    await consume;
    expect(out).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('prepares at most `ahead` pages before the consumer asks', async () => {
    const g = gated();
    const pulled: number[] = [];
    const it = prepareAhead(numbers(10, pulled), g.prepare, 2);
    const first = it.next();
    await g.waitStarted(2);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(g.started).toEqual([1, 2]);
    g.release.get(1)!();
    expect(await first).toEqual({ done: false, value: 'p1' });
    expect(pulled.length).toBeLessThanOrEqual(2);
    await it.return(undefined);
  });

  it('rejects with a failed preparation in its place, after the pages before it', async () => {
    const pages = prepareAhead(numbers(5, []), async (i) => {
      if (i === 3) throw new Error('page 3 failed');
      return i;
    }, 3);
    const got: number[] = [];
    await expect((async () => {
      for await (const p of pages) got.push(p);
    })()).rejects.toThrow('page 3 failed');
    expect(got).toEqual([1, 2]);
  });
});
