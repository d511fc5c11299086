/**
 * A job followed live on a page, by the shared follower (src/client/follow.ts): its event stream,
 * polling when a stream is refused. A page never gives up on its own (a restarting service comes
 * back); it stops when the page aborts `signal`.
 */
import { followJob as follow } from '../../src/client/follow.js';
import { api, type Job } from './api.js';

/** As often as the jobs list asks. */
const POLL_MS = 2_000;

/** The job's terminal record; rejects with the abort reason once `signal` aborts. */
export async function followJob(jobId: string, onJob: (job: Job) => void, signal: AbortSignal): Promise<Job> {
  const job = await follow(api, jobId, { pollMs: POLL_MS, reconnectMs: Infinity, signal, onJob });
  if (!job) throw signal.reason;
  return job;
}
