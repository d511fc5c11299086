/**
 * /metrics as an operator scrapes it: real imports through the worker against a vendor fake,
 * the queue as BullMQ holds it, a Redis cut between the service and Redis, and a worker-only
 * process scraped on METRICS_PORT.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import { boundPort } from '../../src/http/ops-server.js';
import { gitlabModule } from '../../src/connectors/gitlab/index.js';
import type { ConnectorModule } from '../../src/connectors/connector.js';
import { createMetrics } from '../../src/metrics.js';
import { loadConfig, ConfigError } from '../../src/config.js';
import { start, type Running } from '../../src/main.js';
import type { Deps } from '../../src/deps.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { startHarness, startSourceHarness, type Harness } from '../support/harness.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { deletePrefix, TEST_REDIS_DB, TEST_REDIS_URL } from '../support/redis.js';
import { seedPgliteDataDir } from '../support/store.js';
import { createServer } from 'node:http';
import { createSourceHttp } from '../../src/outbound/http.js';
import { createTransport } from '../../src/outbound/transport.js';
import { TEST_POLICY } from '../support/policy.js';
import { GitLabFake } from '../../src/sandbox/fakes/gitlab.js';
import { started } from '../../src/sandbox/fakes/vendor-fake.js';

const silent = pino({ level: 'silent' });

function appFor(deps: Deps): Promise<FastifyInstance> {
  return buildApp({
    jobs: deps.jobs, items: deps.store, health: healthProbe(deps.apiRedis, deps.store), connectors: deps.connectors, metrics: deps.metrics,
    apiKeys: null, version: 't', environment: 'test', logger: silent, policy: deps.policy.api,
  });
}

/** The value of one sample, or null when the series is absent. */
function sample(body: string, series: string): number | null {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** Scrapes until `ready(body)` (the worker counts a job's end just after the record says so). */
async function scrapeUntil(scrape: () => Promise<string>, ready: (body: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await scrape();
    if (ready(body) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function createGitlabJob(deps: Deps, fake: GitLabFake, token = fake.token): Promise<{ job: JobRecord }> {
  return deps.jobs.create(
    { source_type: 'gitlab', source_config: { base_url: fake.baseUrl, token, project_id: fake.project.path } },
    { tenantId: 'acme', requestId: 'r', correlationId: null, idempotencyKey: null },
  );
}

describe('job and source series after real imports', { timeout: 120_000 }, () => {
  let h: Harness;
  let fake: GitLabFake;
  let app: FastifyInstance;
  const scrape = async () => (await app.inject('/metrics')).body;
  beforeAll(async () => {
    h = await startSourceHarness([gitlabModule as unknown as ConnectorModule]);
    fake = await started(new GitLabFake());
    fake.project.seed(5, { userNotes: () => 0 });
    app = await appFor(h.deps);
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await h?.cleanup();
  });

  it('a 429 answered once is one rate limit and one retry, and the import still completes', async () => {
    fake.inject({ kind: 'rate-limited', retryAfterSec: 1 });
    const { job } = await createGitlabJob(h.deps, fake);
    expect((await h.waitFor(job.job_id)).status).toBe('completed');
    const ended = 'import_jobs_ended_total{source_type="gitlab",status="completed",error_code="none"}';
    const body = await scrapeUntil(scrape, (b) => sample(b, ended) === 1);
    expect(sample(body, ended)).toBe(1);
    expect(sample(body, 'import_job_duration_seconds_count{source_type="gitlab",status="completed"}')).toBe(1);
    expect(sample(body, 'source_rate_limited_total{source_type="gitlab"}')).toBe(1);
    expect(sample(body, 'source_retries_total{source_type="gitlab",reason="rate_limited"}')).toBe(1);
    expect(sample(body, 'source_requests_total{source_type="gitlab",outcome="rate_limited"}')).toBe(1);
    // every answer the fake gave with 200 is one `ok` attempt
    expect(sample(body, 'source_requests_total{source_type="gitlab",outcome="ok"}')).toBe(fake.requests.filter((r) => r.status === 200).length);
    expect(body).not.toContain(fake.baseUrl.replace('http://', ''));
    expect(body).not.toContain('acme');
  });

  it('a job failed with SOURCE_AUTH_FAILED is counted once under that code', async () => {
    const { job } = await createGitlabJob(h.deps, fake, 'glpat-not-the-right-token-000');
    const done = await h.waitFor(job.job_id);
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_AUTH_FAILED' });
    const failed = 'import_jobs_ended_total{source_type="gitlab",status="failed",error_code="SOURCE_AUTH_FAILED"}';
    const body = await scrapeUntil(scrape, (b) => sample(b, failed) === 1);
    expect(sample(body, failed)).toBe(1);
    expect(sample(body, 'import_job_duration_seconds_count{source_type="gitlab",status="failed"}')).toBe(1);
    expect(sample(body, 'source_requests_total{source_type="gitlab",outcome="error"}')).toBeGreaterThanOrEqual(1);
    // the first job's series are still there, unchanged
    expect(sample(body, 'import_jobs_ended_total{source_type="gitlab",status="completed",error_code="none"}')).toBe(1);
  });
});

describe('queue depth and the job series while Redis is cut', { timeout: 120_000 }, () => {
  let proxy: TcpProxy;
  let h: Harness;
  let app: FastifyInstance;
  const scrape = async () => (await app.inject('/metrics')).body;
  beforeAll(async () => {
    proxy = await startTcpProxy(6379);
    h = await startHarness({ worker: false, env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}/${TEST_REDIS_DB}` } });
    app = await appFor(h.deps);
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await app?.close();
    await h?.cleanup();
    await proxy?.close();
  });

  it('import_queue_jobs shows a waiting and a delayed job; redis_up 1 and fresh values while Redis answers', async () => {
    const { job } = await h.deps.jobs.create(
      { source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'metrics', count: 1 } },
      { tenantId: null, requestId: 'r', correlationId: null, idempotencyKey: null },
    );
    // a job handed back to wait for its source sits in BullMQ's delayed set
    await h.deps.queue.add('run-import', { job_id: randomUUID() } as never, { delay: 600_000 });
    const body = await scrape();
    expect(sample(body, 'import_queue_jobs{state="waiting"}')).toBe(1);
    expect(sample(body, 'import_queue_jobs{state="delayed"}')).toBe(1);
    expect(sample(body, 'import_queue_jobs{state="active"}')).toBe(0);
    expect(sample(body, 'import_jobs{status="pending"}')).toBe(1);
    expect(sample(body, 'redis_up')).toBe(1);
    expect(sample(body, 'database_up')).toBe(1);
    expect(sample(body, 'import_stats_age_seconds')).toBe(0);
    expect((await h.deps.jobs.get(job.job_id, null))?.status).toBe('pending');
  });

  it('while Redis is cut: redis_up 0, the last job and queue values still served with their age, within ~2 s', async () => {
    const before = await scrape();
    await proxy.sever();
    let took = 0;
    const body = await scrapeUntil(async () => {
      const t0 = Date.now();
      const b = await scrape();
      took = Math.max(took, Date.now() - t0);
      return b;
    }, (b) => sample(b, 'redis_up') === 0 && (sample(b, 'import_stats_age_seconds') ?? 0) > 0);
    expect(sample(body, 'redis_up')).toBe(0);
    expect(sample(body, 'database_up')).toBe(1);
    expect(sample(body, 'import_stats_age_seconds')).toBeGreaterThan(0);
    for (const series of ['import_jobs{status="pending"}', 'import_queue_jobs{state="waiting"}', 'import_queue_jobs{state="delayed"}', 'import_items_total{action="created"}']) {
      expect(sample(body, series), series).toBe(sample(before, series));
    }
    expect(took).toBeLessThan(2500);
    await proxy.restore();
    const back = await scrapeUntil(scrape, (b) => sample(b, 'redis_up') === 1 && sample(b, 'import_stats_age_seconds') === 0);
    expect(sample(back, 'import_stats_age_seconds')).toBe(0);
  });
});

describe('a scrape is bounded when Redis hangs', () => {
  it('refresh answers within its timeout with redis_up 0 and keeps the last values', async () => {
    const metrics = createMetrics();
    const stats = { byStatus: { pending: 2, processing: 1, completed: 7, failed: 0, cancelled: 0 }, itemsImported: { created: 40, updated: 2, unchanged: 0, failed: 1 } };
    const up = { redis: { status: 'up' as const, latency_ms: 1 }, database: { status: 'up' as const } };
    await metrics.refresh({ jobs: { stats: async () => stats, queueDepth: async () => ({ waiting: 3 }) }, health: async () => up }, 200);
    const hang = () => new Promise<never>(() => undefined);
    const t0 = Date.now();
    const failed = await metrics.refresh({ jobs: { stats: hang, queueDepth: hang }, health: hang }, 200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(failed.map((f) => f.what)).toEqual(['job stats']);
    const body = await metrics.registry.metrics();
    expect(sample(body, 'redis_up')).toBe(0);
    expect(sample(body, 'import_jobs{status="completed"}')).toBe(7);
    expect(sample(body, 'import_items_total{action="created"}')).toBe(40);
    expect(sample(body, 'import_queue_jobs{state="waiting"}')).toBe(3);
  });
});

describe('source request counting in the outbound layer', () => {
  it('counts each attempt of a labelled client by outcome and each retry by reason; an unlabelled client is not counted', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      if (req.url === '/missing') return void res.writeHead(404).end('{}');
      hits++;
      res.writeHead(hits < 3 ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const metrics = createMetrics();
    const transport = createTransport(true);
    try {
      const jira = createSourceHttp({ source: 'Jira', baseUrl: base, sourceType: 'jira' }, transport, TEST_POLICY.http, undefined, metrics);
      await jira.get('/ok');
      await expect(jira.get('/missing')).rejects.toThrow(/404/);
      // a completion callback goes through the same layer without a source type
      await createSourceHttp({ source: 'callback', baseUrl: base }, transport, TEST_POLICY.http, undefined, metrics).get('/ok');
    } finally {
      server.close();
    }
    const body = await metrics.registry.metrics();
    expect(sample(body, 'source_requests_total{source_type="jira",outcome="retry"}')).toBe(2);
    expect(sample(body, 'source_requests_total{source_type="jira",outcome="ok"}')).toBe(1);
    expect(sample(body, 'source_requests_total{source_type="jira",outcome="error"}')).toBe(1);
    expect(sample(body, 'source_retries_total{source_type="jira",reason="server_error"}')).toBe(2);
    expect(body).not.toMatch(/source_type="(callback|undefined)"/);
    expect(body).not.toContain(base);
  });
});

describe('METRICS_PORT', { timeout: 120_000 }, () => {
  let running: Running | null = null;
  let fake: GitLabFake | null = null;
  let dataDir = '';
  const prefix = `t:metrics-port-${randomUUID().slice(0, 8)}:`;
  afterEach(async () => {
    if (running) {
      await running.stop();
      const { Redis } = await import('ioredis');
      const redis = new Redis(TEST_REDIS_URL);
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
    await fake?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('must be a port number', () => {
    expect(() => loadConfig({ METRICS_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT/);
    expect(loadConfig({}).metricsPort).toBeNull();
  });

  it('a worker-only process serves its own job and source counters, and /health, on that port', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'is-metrics-port-'));
    await seedPgliteDataDir(dataDir);
    fake = await started(new GitLabFake());
    fake.project.seed(3, { userNotes: () => 0 });
    running = await start('worker', {
      REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_DIR: dataDir, METRICS_PORT: '0', HOST: '127.0.0.1',
      SOURCE_ALLOW_PRIVATE_NETWORKS: 'true', NODE_ENV: 'test',
    }, silent);
    expect(running.app).toBeNull();
    const base = `http://127.0.0.1:${boundPort(running.ops!)}`;
    const { job } = await createGitlabJob(running.deps, fake);
    const ended = 'import_jobs_ended_total{source_type="gitlab",status="completed",error_code="none"}';
    const body = await scrapeUntil(async () => (await fetch(`${base}/metrics`)).text(), (b) => sample(b, ended) === 1, 60_000);
    expect(sample(body, ended)).toBe(1);
    expect(sample(body, 'source_requests_total{source_type="gitlab",outcome="ok"}')).toBeGreaterThan(0);
    expect(sample(body, 'redis_up')).toBe(1);
    expect((await running.deps.records.get(job.job_id))?.status).toBe('completed');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', checks: { redis: { status: 'up' }, database: { status: 'up' } } });
    // only the probes: the API is not served there
    expect((await fetch(`${base}/api/imports`)).status).toBe(404);
  });
});
