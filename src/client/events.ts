/**
 * GET /api/imports/{job_id}/events read with fetch (not EventSource, which cannot send the API key):
 * yields each `progress` / `status` event's job until the server closes the stream. Heartbeat
 * comments are skipped. Browser-safe.
 */
import { unwrap, type ApiClient, type Job } from './client.js';

export interface JobEvent {
  event: 'progress' | 'status';
  job: Job;
}

export async function* jobEvents(client: ApiClient, jobId: string, signal?: AbortSignal): AsyncGenerator<JobEvent> {
  const result = await client.GET('/api/imports/{job_id}/events', {
    params: { path: { job_id: jobId } },
    headers: { accept: 'text/event-stream' },
    parseAs: 'stream',
    ...(signal && { signal }),
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
      // Events end with a blank line (LF or CRLF line ends).
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const event = parseBlock(block);
        if (event) yield event;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseBlock(block: string): JobEvent | null {
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
  return { event, job: JSON.parse(data.join('\n')) as Job };
}
