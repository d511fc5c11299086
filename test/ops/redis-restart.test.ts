/**
 * CONTRACT §8, Redis restarted with its data persisted (AOF) during an import, through the real
 * service: a worker process and the HTTP API against a private redis-server that the test shuts
 * down mid-import and starts again on the same directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import type { JobRecord } from '../../src/jobs/types.js';
import type { SqlItemStore } from '../../src/store/work-items.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { spawnWorker, stop } from '../support/processes.js';
import { TEST_DATABASE_URL } from '../support/store.js';
import { testConnectors } from '../support/test-connector.js';
import { testPolicy } from '../support/policy.js';
import { DEFAULT_POLICY } from '../../src/policy.js';

const COUNT = 300;
let redis: PrivateRedis | null = null;
let worker: ChildProcess | null = null;
let deps: Deps | null = null;
let app: FastifyInstance | null = null;
let dataDir = '';
let base = '';
const schema = `t_restart_${process.pid}_${Date.now()}`;

beforeAll(async () => {
  redis = await startPrivateRedis();
  dataDir = await mkdtemp(join(tmpdir(), 'is-restart-'));
  const env = {
    REDIS_URL: redis.url, REDIS_KEY_PREFIX: 't:restart:', DATABASE_URL: TEST_DATABASE_URL, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
    TEST_STORE_SCHEMA: schema,
  };
  // The API first, so the schema exists before the worker opens the store.
  const logger = pino({ level: 'silent' });
  // The API reconnects as shipped: its backoff grows while Redis stays down, answers must not.
  const policy = testPolicy({ api: { sseHeartbeatMs: 2000 }, redis: DEFAULT_POLICY.redis });
  deps = await buildDeps(loadConfig(env), logger, { connectors: testConnectors, storeSchema: schema, policy });
  app = await buildApp({
    jobs: deps.jobs, items: deps.store, health: healthProbe(deps.apiRedis, deps.store), connectors: testConnectors,
    apiKeys: null, version: 't', environment: 'test', logger, policy: policy.api,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  worker = await spawnWorker(env);
}, 90_000);

afterAll(async () => {
  // Always: the worker process and the private redis-server end here, whatever the test did.
  try {
    if (worker) await stop(worker, 'SIGKILL');
    await app?.close();
    if (deps) {
      await (deps.store as SqlItemStore).db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await deps.close();
    }
  } finally {
    await redis?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${base}${path}`, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
}

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An SSE reader: every event as it comes, and when the server closed the stream. */
function openEvents(jobId: string) {
  const events: { kind: string; job: JobRecord; at: number }[] = [];
  let endedAt: number | null = null;
  const req = request(`${base}/api/imports/${jobId}/events`, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let sep: number;
      while ((sep = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, sep);
        buf = buf.slice(sep + 2);
        const kind = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (kind && data) events.push({ kind, job: JSON.parse(data) as JobRecord, at: Date.now() });
      }
    });
    res.on('close', () => (endedAt = Date.now()));
  });
  req.on('error', () => (endedAt ??= Date.now()));
  req.end();
  return { events, get endedAt() { return endedAt; }, close: () => req.destroy() };
}

describe('Redis restarted with AOF persistence during an import', { timeout: 120_000 }, () => {
  it('completes with exact counts, answers 503 REDIS_UNAVAILABLE within 2 s meanwhile, and the event stream never hangs', async () => {
    const created = await api('POST', '/api/imports', {
      source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'restart', count: COUNT, delay_ms: 60 },
      options: { batch_size: 10 },
    });
    expect(created.status).toBe(202);
    const jobId = created.json.job_id as string;
    const stream = openEvents(jobId);
    await until('a few batches', async () => {
      const r = await api('GET', `/api/imports/${jobId}`);
      return (r.json.progress as JobRecord['progress']).current_batch >= 4 ? r : null;
    });
    const seenBeforeOutage = stream.events.length;
    expect(seenBeforeOutage).toBeGreaterThan(0);

    await redis!.shutdown();
    // Down for about 5 s, called all along: the client's reconnect backoff grows meanwhile.
    const during: Awaited<ReturnType<typeof api>>[] = [];
    const downSince = Date.now();
    while (Date.now() - downSince < 5000) {
      during.push(
        await api('GET', `/api/imports/${jobId}`),
        await api('GET', '/api/imports'),
        await api('POST', '/api/imports', { source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'other', count: 1 } }),
        await api('DELETE', `/api/imports/${jobId}`),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ error_code: 'REDIS_UNAVAILABLE' });
      expect(r.ms).toBeLessThan(2000);
    }
    const health = await api('GET', '/health');
    expect(health.status).toBe(503);
    await redis!.start();

    const done = await until('the job to end', async () => {
      const r = await api('GET', `/api/imports/${jobId}`);
      return ['completed', 'failed', 'cancelled'].includes(r.json.status as string) ? (r.json as unknown as JobRecord) : null;
    }, 90_000);
    expect(done.status).toBe('completed');
    expect(done.error_code).toBeNull();
    expect(done.progress).toMatchObject({
      total_items: COUNT, processed_items: COUNT, successful_items: COUNT, failed_items: 0, skipped_items: 0, percentage: 100,
    });
    expect(done.imported_items).toHaveLength(COUNT);
    expect(new Set(done.imported_items.map((i) => i.external_id)).size).toBe(COUNT);
    const stored = await deps!.store.listItems({ tenantId: null, project: 'restart', limit: 1000 });
    expect(stored.items).toHaveLength(COUNT);
    const log: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps!.store.jobItems(jobId, { limit: 1000, cursor });
      log.push(...page.items.map((i) => i.external_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(log).toHaveLength(COUNT);
    expect(new Set(log).size).toBe(COUNT);

    // The stream delivered the end and closed, or closed earlier so the client reconnects: never
    // left open on heartbeats alone. (Heartbeats here are 2 s; a re-read comes with the first one.)
    const endedAt = await until('the event stream to close', async () => stream.endedAt, 15_000);
    const last = stream.events[stream.events.length - 1];
    if (last?.job.status === 'completed') {
      expect(last.kind).toBe('status');
      expect(last.job.progress.processed_items).toBe(COUNT);
      // changes made after the restart reached the stream, not only the end
      expect(stream.events.length).toBeGreaterThan(seenBeforeOutage + 1);
    } else {
      const again = openEvents(jobId);
      await until('the reconnected stream to close', async () => again.endedAt, 15_000);
      expect(again.events.map((e) => [e.kind, e.job.status])).toEqual([['status', 'completed']]);
    }
    expect(endedAt).toBeGreaterThan(0);
    stream.close();
  });
});
