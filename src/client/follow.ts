/**
 * Follows a job to its end, for the CLI and the dashboard alike: the event stream
 * (GET /api/imports/{id}/events) while it serves, polling GET /api/imports/{id} when it cannot
 * (too many streams, a proxy that buffers) or between reconnects, since the stream's opening
 * snapshot or the record brings the job up to date. A service that stays unreachable longer than
 * `reconnectMs` ends the wait with the last error. Browser-safe.
 */
import { ApiError, isTerminal, unwrap, type ApiClient, type Job } from './client.js';
import { jobEvents } from './events.js';

export interface FollowOptions {
  /** Between reads of the record while the stream is not used. */
  pollMs: number;
  /** How long the service may stay unreachable (network errors, 503) before giving up; Infinity: never. */
  reconnectMs: number;
  signal: AbortSignal;
  onJob(job: Job): void;
}

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

/**
 * Resolves with the job's terminal record; null when `signal` aborted first. Rejects with an
 * ApiError the service will not change its mind about (404, 403), or the last error once the
 * service has been unreachable for `reconnectMs`.
 */
export async function followJob(client: ApiClient, jobId: string, opts: FollowOptions): Promise<Job | null> {
  let streams = true;
  let unreachableSince: number | null = null;
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
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > opts.reconnectMs) throw err;
    }
    await sleep(opts.pollMs, opts.signal);
  }
  return null;
}
