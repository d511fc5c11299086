import { describe, expect, it } from 'vitest';
import { AccountGate } from '../../src/outbound/account-gate.js';

const gate = (concurrency = 4) => new AccountGate({ source: 'GitHub', concurrency, reserve: 1, maxWaitMs: 60_000 });

/** Whether `p` settles before the pending timers and I/O of this turn have run. */
async function settlesNow(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setImmediate(r));
  return settled;
}

describe('AccountGate', () => {
  it('tells a held request of the rate-limit wait and its end, once per end, and not of a wait for a slot', async () => {
    const g = gate(1);
    await g.acquire();
    const told: number[] = [];
    const ac = new AbortController();
    const held = g.acquire(ac.signal, (until) => told.push(until));
    expect(await settlesNow(held)).toBe(false);
    expect(told).toEqual([]); // only a slot to wait for
    const until = Date.now() + 30_000;
    g.pause(until);
    g.update({ limited: false }); // pumps again: nothing new to tell
    expect(told).toEqual([until]);
    g.pause(until + 5000);
    expect(told).toEqual([until, until + 5000]);
    ac.abort();
    await held.catch(() => undefined);
  });

  it('admits queued requests in arrival order as slots free up', async () => {
    const g = gate(1);
    await g.acquire();
    const order: string[] = [];
    const b = g.acquire().then(() => order.push('b'));
    const c = g.acquire().then(() => order.push('c'));
    expect(await settlesNow(b)).toBe(false);
    g.release();
    await b;
    g.release();
    await c;
    expect(order).toEqual(['b', 'c']);
  });

  it('holds new requests once the budget minus requests in flight reaches the reserve', async () => {
    const g = gate();
    const resetAt = Date.now() + 30_000;
    g.update({ limited: false, remaining: 3, resetAt });
    await g.acquire(); // 3 - 1 in flight = 2 > reserve
    await g.acquire(); // 3 - 2 = 1: the next one must wait
    const ac = new AbortController();
    expect(await settlesNow(g.acquire(ac.signal))).toBe(false);
    ac.abort(); // leaves no timer behind
  });

  it('takes the lowest count within a window and ignores a late answer from an earlier window', async () => {
    const g = gate();
    const now = Date.now();
    g.update({ limited: false, remaining: 50, resetAt: now + 20_000 });
    g.update({ limited: false, remaining: 1, resetAt: now + 10_000 }); // stale window: ignored
    expect(await settlesNow(g.acquire())).toBe(true);
    g.release();
    g.update({ limited: false, remaining: 1, resetAt: now + 20_000 }); // same window, lower: wins
    const ac = new AbortController();
    expect(await settlesNow(g.acquire(ac.signal))).toBe(false);
    ac.abort();
  });

  it('lets requests go again when the budget window resets', async () => {
    const g = gate();
    g.update({ limited: false, remaining: 0, resetAt: Date.now() + 15 });
    const p = g.acquire();
    expect(await settlesNow(p)).toBe(false);
    await p; // resolves by itself at resetAt
  });
});
