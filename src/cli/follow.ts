/**
 * Follows a job to its end: the event stream (GET /api/imports/{id}/events) while it serves,
 * polling GET /api/imports/{id} when it cannot (too many streams, a proxy that buffers) or
 * between reconnects. A service that stays unreachable longer than `reconnectMs` ends the wait.
 */
import { ApiError, TERMINAL, unwrap, type ApiClient, type Job } from '../client/client.js';
import { jobEvents } from '../client/events.js';
import { ConnectionError } from './errors.js';

export interface FollowOptions {
  pollMs: number;
  reconnectMs: number;
  signal: AbortSignal;
  onJob(job: Job): void;
}

const isTerminal = (job: Job) => TERMINAL.includes(job.status);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Resolves with the job's terminal record; null when `signal` aborted first. */
export async function followJob(client: ApiClient, jobId: string, opts: FollowOptions): Promise<Job | null> {
  let streams = true;
  let unreachableSince: number | null = null;
  let lastError: unknown = null;
  const transient = (err: unknown) => {
    lastError = err;
    unreachableSince ??= Date.now();
    if (Date.now() - unreachableSince > opts.reconnectMs) throw err;
  };
  while (!opts.signal.aborted) {
    if (streams) {
      try {
        for await (const { job } of jobEvents(client, jobId, opts.signal)) {
          unreachableSince = null;
          opts.onJob(job);
          if (isTerminal(job)) return job;
        }
        // Closed before the end (the API restarting): read the record, then open a new stream.
      } catch (err) {
        if (opts.signal.aborted) return null;
        if (err instanceof ApiError) {
          if (err.status === 404) throw err;
          // 429 TOO_MANY_STREAMS and the like: polling does the same job.
          if (err.status !== 503) streams = false;
        }
        lastError = err;
      }
    }
    try {
      const job = unwrap(await client.GET('/api/imports/{job_id}', { params: { path: { job_id: jobId } }, signal: opts.signal }));
      unreachableSince = null;
      opts.onJob(job);
      if (isTerminal(job)) return job;
    } catch (err) {
      if (opts.signal.aborted) return null;
      if (err instanceof ApiError && err.status !== 503) throw err;
      transient(err instanceof ConnectionError || err instanceof ApiError ? err : (lastError ?? err));
    }
    await sleep(opts.pollMs, opts.signal);
  }
  return null;
}
