/**
 * Per-record work of one page (a long comment thread per issue, a journal chunk per group of
 * records) run a bounded number at a time. The first failure ends the whole: nothing queued
 * starts, and what is still running is aborted, so a failed page sends nothing more to the source.
 */
import pLimit from 'p-limit';

export async function mapBounded<T, U>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  task: (item: T, signal: AbortSignal) => Promise<U>,
): Promise<U[]> {
  signal.throwIfAborted();
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const limit = pLimit(Math.max(1, concurrency));
  const run = async (item: T): Promise<U> => {
    inner.throwIfAborted(); // its turn came after a failure: it does not start
    try {
      return await task(item, inner);
    } catch (err) {
      stop.abort(err); // before the freed slot starts the next one
      throw err;
    }
  };
  try {
    return await Promise.all(items.map((item) => limit(() => run(item))));
  } finally {
    limit.clearQueue();
    stop.abort(new Error('page work ended'));
  }
}
