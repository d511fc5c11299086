/**
 * A guard for cases that may block the event loop: a worker thread watches a heartbeat the main
 * thread writes every 100 ms, and when it stops for `limitMs` it says so on stderr and kills the
 * process. A blocked loop cannot fail its own test; without this, a quadratic conversion of 1 MB
 * would hold the test file for minutes before any assertion could run.
 */
import { Worker } from 'node:worker_threads';

const WATCHER = `
const { workerData: { beat, limitMs, what } } = require('node:worker_threads');
setInterval(() => {
  const stalled = Date.now() - Number(Atomics.load(beat, 0));
  if (stalled <= limitMs) return;
  require('node:fs').writeSync(2, '\\nevent loop blocked for ' + stalled + ' ms during ' + what + ': killing the test process\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

export function stallWatchdog(limitMs: number, what: string): () => Promise<void> {
  const beat = new BigInt64Array(new SharedArrayBuffer(8));
  const tick = () => Atomics.store(beat, 0, BigInt(Date.now()));
  tick();
  const timer = setInterval(tick, 100);
  const worker = new Worker(WATCHER, { eval: true, workerData: { beat, limitMs, what } });
  return async () => {
    clearInterval(timer);
    await worker.terminate();
  };
}
