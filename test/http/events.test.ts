/** GET /api/imports/{id}/events: SSE framing, live changes from a real worker, close and cleanup. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { JobRecord } from '../../src/jobs/types.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  env = await httpEnv({ worker: true });
  app = await env.app({ policy: { ...env.deps.policy, sseHeartbeatMs: 50 } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => env.cleanup());

interface SseEvent {
  event: string | null;
  data: string | null;
  comment: string | null;
}

/** Reads SSE frames from a live response until `stop` says so or the stream ends. */
async function readEvents(res: Response, stop: (e: SseEvent, all: SseEvent[]) => boolean = () => false) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  let ended = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += value;
    let cut: number;
    let stopped = false;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: SseEvent = { event: null, data: null, comment: null };
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) e.comment = line.slice(1).trim();
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) e.data = line.slice(6);
      }
      events.push(e);
      if (stop(e, events)) stopped = true;
    }
    if (stopped) break;
  }
  return { events, ended, reader, rest: buffer };
}

const jobOf = (e: SseEvent) => JSON.parse(e.data!) as JobRecord;
const create = async (config: Record<string, unknown>, options: Record<string, unknown> = {}) =>
  (await app.inject({ method: 'POST', url: '/api/imports', payload: importBody(config, { options }) })).json() as JobRecord;

describe('SSE', () => {
  it('a finished job: one status event with the whole job, then the stream closes', async () => {
    const job = await create({ count: 1000, delay_ms: 1000 });
    const cancelled = (await app.inject({ method: 'DELETE', url: `/api/imports/${job.job_id}` })).json();
    const res = await app.inject({ url: `/api/imports/${job.job_id}/events`, headers: { 'x-request-id': 'sse-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['x-request-id']).toBe('sse-1');
    expect(res.body).toBe(`event: status\ndata: ${JSON.stringify(cancelled)}\n\n`);
  });

  it('streams progress from a running import and ends after completed', async () => {
    const job = await create({ count: 6, delay_ms: 30 }, { batch_size: 2 });
    const res = await fetch(`${base}/api/imports/${job.job_id}/events`);
    const { events, ended } = await readEvents(res);
    expect(ended).toBe(true);
    const frames = events.filter((e) => e.event);
    expect(frames.every((e) => e.event === 'progress' || e.event === 'status')).toBe(true);
    const last = jobOf(frames.at(-1)!);
    expect(frames.at(-1)!.event).toBe('status');
    expect(last).toMatchObject({ job_id: job.job_id, status: 'completed' });
    expect(last.progress).toMatchObject({ total_items: 6, processed_items: 6, percentage: 100 });
    expect(frames.some((e) => e.event === 'progress' && jobOf(e).progress.processed_items > 0)).toBe(true);
    const processed = frames.map((e) => jobOf(e).progress.processed_items);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
  });

  it('sends heartbeat comments, and a cancel ends the stream with a status event', async () => {
    const job = await create({ count: 1000, delay_ms: 2000 }, { batch_size: 1 });
    const res = await fetch(`${base}/api/imports/${job.job_id}/events`);
    const first = await readEvents(res, (e) => e.comment === 'heartbeat');
    expect(first.events.find((e) => e.event)?.event).toBe('status');
    await app.inject({ method: 'DELETE', url: `/api/imports/${job.job_id}` });
    let ended = false;
    let lastFrame: SseEvent | undefined;
    for (;;) {
      const { value, done } = await first.reader.read();
      if (done) {
        ended = true;
        break;
      }
      const frames = (first.rest + value).split('\n\n').filter((f) => f.startsWith('event:'));
      if (frames.length) lastFrame = { event: frames.at(-1)!.split('\n')[0]!.slice(7), data: frames.at(-1)!.split('\n')[1]!.slice(6), comment: null };
    }
    expect(ended).toBe(true);
    expect(lastFrame?.event).toBe('status');
    expect(jobOf(lastFrame!).status).toBe('cancelled');
  });

  it('drops the Redis subscription when the client goes away', async () => {
    const job = await create({ count: 1000, delay_ms: 2000 }, { batch_size: 1 });
    const channel = env.harness.deps.keys.events(job.job_id);
    const numsub = async () => Number(((await env.harness.deps.redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
    const aborter = new AbortController();
    const res = await fetch(`${base}/api/imports/${job.job_id}/events`, { signal: aborter.signal });
    await readEvents(res, (e) => e.event === 'status');
    expect(await numsub()).toBe(1);
    aborter.abort();
    for (let i = 0; i < 200 && (await numsub()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await numsub()).toBe(0);
    await app.inject({ method: 'DELETE', url: `/api/imports/${job.job_id}` });
  });

  it('closing the app (SIGTERM) ends open streams instead of waiting for their clients', async () => {
    const own = await env.app({ policy: { ...env.deps.policy, sseHeartbeatMs: 50 } });
    const ownBase = await own.listen({ port: 0, host: '127.0.0.1' });
    const job = await create({ count: 1000, delay_ms: 2000 }, { batch_size: 1 });
    const res = await fetch(`${ownBase}/api/imports/${job.job_id}/events`);
    const open = await readEvents(res, (e) => e.event === 'status');
    const closed = await Promise.race([
      own.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000)),
    ]);
    expect(closed).toBe('closed');
    expect((await open.reader.read()).done).toBe(true);
    await app.inject({ method: 'DELETE', url: `/api/imports/${job.job_id}` });
  });

  it('404 for unknown and malformed ids', async () => {
    for (const id of ['3f1c2a4e-8b6d-4c1e-9a7f-2d5b8e0c1a3f', 'bad']) {
      const res = await app.inject(`/api/imports/${id}/events`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('JOB_NOT_FOUND');
    }
  });
});
