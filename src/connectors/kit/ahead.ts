/**
 * Pages prepared ahead of the consumer: each walked page goes through `prepare` (fetching its
 * issues' comments, say) up to `ahead` pages before the consumer asks for it, and the results
 * are handed out in order — so the request slots stay busy across page boundaries while the
 * consumer stores a page. `prepare` runs in page order up to its first await, so bookkeeping
 * done there sees pages in order. At most `ahead` prepared pages are held (CONTRACT §7).
 *
 * Stopping is the caller's: it aborts the signal its walk and `prepare` use when it stops
 * (a preparation nobody waits for any more is dropped without an unhandled rejection).
 */
export async function* prepareAhead<T, U>(source: AsyncIterator<T>, prepare: (page: T) => Promise<U>, ahead: number): AsyncGenerator<U> {
  const queue: Promise<IteratorResult<U, undefined>>[] = [];
  let ended = false;
  const pull = async (): Promise<IteratorResult<U, undefined>> => {
    const next = ended ? { done: true as const, value: undefined } : await source.next();
    if (next.done) {
      ended = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: await prepare(next.value) };
  };
  for (;;) {
    while (queue.length < Math.max(1, ahead) && !ended) {
      const p = pull();
      p.catch(() => undefined); // awaited in order below; one left behind only stops an unhandled-rejection report
      queue.push(p);
    }
    const result = await queue.shift()!;
    if (result.done) return;
    yield result.value;
  }
}
