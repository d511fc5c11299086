/** SSE under stress: lost notifications, slow readers, too many streams (CONTRACT §8). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { JobRecord } from '../../src/jobs/types.js';
import { JobEventStream } from '../../src/http/sse.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app({ policy: { ...env.deps.policy, sseHeartbeatMs: 50, sseMaxStreamsPerTenant: 2 } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => env.cleanup());

const create = async (scope: string) =>
  (await app.inject({ method: 'POST', url: '/api/imports', payload: importBody({ scope, count: 3 }) })).json() as JobRecord;

describe('a change whose notification was lost', () => {
  it('still reaches the stream at the next heartbeat, and a job that ended closes it', async () => {
    const job = await create('LOST');
    const res = await fetch(`${base}/api/imports/${job.job_id}/events`);
    const text = res.text();
    // Written straight into Redis, as if the publish had gone out while the subscriber reconnected.
    const key = env.harness.deps.keys.record(job.job_id);
    const ended = { ...job, status: 'cancelled', updated_at: new Date(Date.now() + 1000).toISOString(), completed_at: new Date().toISOString() };
    await env.harness.deps.redis.set(key, JSON.stringify(ended), 'KEEPTTL');
    const body = await text;
    expect(body).toMatch(/event: status\ndata: .*"status":"cancelled"/);
  });
});

describe('open streams per tenant', () => {
  it('refuses one stream over the cap with 429 and Retry-After, and takes one again once a stream closed', async () => {
    const job = await create('CAP');
    const ctl = new AbortController();
    const open = [await fetch(`${base}/api/imports/${job.job_id}/events`, { signal: ctl.signal }), await fetch(`${base}/api/imports/${job.job_id}/events`)];
    const refused = await fetch(`${base}/api/imports/${job.job_id}/events`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect((await refused.json()).error_code).toBe('TOO_MANY_STREAMS');
    ctl.abort();
    await open[0]!.body?.cancel().catch(() => undefined);
    let again: Response | null = null;
    for (let i = 0; i < 100 && again?.status !== 200; i++) {
      await again?.body?.cancel().catch(() => undefined);
      again = await fetch(`${base}/api/imports/${job.job_id}/events`);
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(again!.status).toBe(200);
    await again!.body?.cancel();
    await open[1]!.body?.cancel();
  });
});

describe('a reader slower than the changes', () => {
  it('gets the latest state, not a backlog: the server buffers a bounded amount', async () => {
    let serverRes: ServerResponse | null = null;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      serverRes = res;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const req = httpRequest({ port, host: '127.0.0.1', path: '/' });
    req.on('response', (res) => res.pause()); // never reads
    req.on('error', () => undefined); // destroyed below on purpose
    req.end();
    while (!serverRes) await new Promise((r) => setTimeout(r, 5));
    const res = serverRes as ServerResponse;
    const serialize = (j: JobRecord) => JSON.stringify(j);
    const stream = new JobEventStream(res, { heartbeatMs: 60_000, serialize, refresh: async () => null });
    const big = 'x'.repeat(100_000);
    const job = (n: number): JobRecord => ({ status: 'processing', updated_at: new Date(1_700_000_000_000 + n).toISOString(), error_message: big } as unknown as JobRecord);
    for (let n = 0; n < 500; n++) stream.send(job(n), 'progress');
    // 500 versions of 100 kB would be 50 MB queued; a few socket buffers and one record are allowed.
    expect(res.writableLength).toBeLessThan(3_000_000);
    stream.close();
    req.destroy();
    server.close();
  });
});
