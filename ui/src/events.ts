/**
 * A job followed live: GET /api/imports/{id}/events read with fetch (EventSource cannot send the
 * API key), each `progress` / `status` event handed on as the whole job. A stream that ends
 * before a terminal status (a restart, a proxy timeout) is opened again after a short wait; the
 * server's opening snapshot brings the job up to date.
 */
import { api, isTerminal, unwrap, type Job } from './api.js';

const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

export async function followJob(jobId: string, onJob: (job: Job) => void, signal: AbortSignal): Promise<Job> {
  let last: Job | null = null;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      for await (const job of jobStream(jobId, signal)) {
        last = job;
        attempt = 0;
        onJob(job);
      }
      if (last && isTerminal(last)) return last;
    } catch (err) {
      // A job that is gone or not this key's will not come back; a busy server (429, 503) may.
      const status = (err as { status?: number }).status;
      if (signal.aborted || status === 403 || status === 404) throw err;
    }
    await sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!, signal);
  }
  throw signal.reason;
}

async function* jobStream(jobId: string, signal: AbortSignal): AsyncGenerator<Job> {
  const result = await api.GET('/api/imports/{job_id}/events', {
    params: { path: { job_id: jobId } },
    headers: { accept: 'text/event-stream' },
    parseAs: 'stream',
    signal,
  });
  const body = unwrap(result);
  if (!body) return;
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      // An event ends at a blank line (LF or CRLF line ends).
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const job = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        if (job) yield job;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseEvent(block: string): Job | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if ((event !== 'progress' && event !== 'status') || data.length === 0) return null;
  return JSON.parse(data.join('\n')) as Job;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
