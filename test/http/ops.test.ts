import { pino } from 'pino';
/** /health, /metrics, /openapi.json + /docs, and what reaches the logs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { healthProbe } from '../../src/http/health-probe.js';
import type { JobService } from '../../src/jobs/types.js';
import { withPglite } from '../support/store.js';
import { SECRET, httpEnv, importBody, type HttpEnv } from './support.js';

const API_KEY = 'ops-key-0123456789abcdef-secret';

let env: HttpEnv;
let app: FastifyInstance;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app();
});
afterAll(async () => env.cleanup());

describe('/health', () => {
  it('200 with exactly the contract fields', async () => {
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      status: 'healthy',
      service: 'integration-service',
      version: '9.9.9-test',
      environment: 'test',
      checks: { redis: { status: 'up', latency_ms: expect.any(Number) }, database: { status: 'up' } },
    });
  });

  it('latency_ms times the Redis PING alone, not the database check beside it', async () => {
    let nowNs = 0n;
    const redis = { ping: async () => void (nowNs += 400_000n) }; // 0.4 ms
    // the database answers later (a timer, after the PING's continuation), 5 s on the clock
    const store = { ping: () => new Promise<void>((resolve) => setTimeout(() => { nowNs += 5_000_000_000n; resolve(); }, 10)) };
    const report = await healthProbe(redis, store, () => nowNs)();
    expect(report).toEqual({ redis: { status: 'up', latency_ms: 0.4 }, database: { status: 'up' } });
  });

  it('503 unhealthy when Redis is down', async () => {
    // A real client to a port nothing listens on: commands fail at once instead of queueing.
    const dead = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    try {
      const down = await env.app({ health: healthProbe(dead, env.harness.deps.store) });
      const res = await down.inject('/health');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unhealthy', checks: { redis: { status: 'down' }, database: { status: 'up' } } });
    } finally {
      dead.disconnect();
    }
  });

  it('503 unhealthy when the database is down', async () => {
    const closed = await withPglite();
    await closed.cleanup();
    const down = await env.app({ health: healthProbe(env.harness.deps.redis, closed.store) });
    const res = await down.inject('/health');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unhealthy', checks: { redis: { status: 'up' }, database: { status: 'down' } } });
  });
});

describe('/metrics', () => {
  it('still answers with process series when job stats are unavailable', async () => {
    const failing = Object.assign(Object.create(env.deps.jobs) as JobService, {
      stats: async () => {
        throw new Error('Redis is down');
      },
    });
    const res = await (await env.app({ jobs: failing })).inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^process_cpu_user_seconds_total /m);
    expect(res.body).not.toMatch(/^import_jobs\{/m);
  });

  it('exposes job, item, HTTP latency and process series', async () => {
    const created = (await app.inject({ method: 'POST', url: '/api/imports', payload: importBody() })).json();
    await app.inject(`/api/imports/${created.job_id}`);
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const pending = /^import_jobs\{status="pending"\} (\d+)$/m.exec(res.body);
    expect(Number(pending?.[1])).toBeGreaterThanOrEqual(1);
    for (const action of ['created', 'updated', 'unchanged', 'failed']) {
      expect(res.body).toMatch(new RegExp(`^import_items_total\\{action="${action}"\\} \\d+$`, 'm'));
    }
    expect(res.body).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/api\/imports\/:job_id",status_code="200"\} 1$/m);
    expect(res.body).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/api\/imports",status_code="202"\} \d+$/m);
    expect(res.body).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('OpenAPI', () => {
  it('describes every route, the POST body from the connector schemas, errors and bearer auth', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/imports',
      '/api/imports/{job_id}',
      '/api/imports/{job_id}/callback',
      '/api/imports/{job_id}/events',
      '/api/imports/{job_id}/items',
      '/api/items',
      '/api/items/changes',
      '/api/items/{id}',
      '/api/people',
      '/api/people/{id}',
      '/api/people/{id}/links',
      '/health',
      '/metrics',
    ]);
    const post = doc.paths['/api/imports'].post;
    const body = post.requestBody.content['application/json'].schema;
    expect(body.oneOf).toHaveLength(4);
    const jira = body.oneOf[0];
    expect(jira.additionalProperties).toBe(false);
    expect(jira.properties.source_type).toMatchObject({ enum: ['jira'] });
    expect(jira.properties.source_config.additionalProperties).toBe(false);
    expect(Object.keys(jira.properties.source_config.properties)).toContain('scope');
    expect(jira.properties.options.properties.batch_size).toMatchObject({ minimum: 1, maximum: 1000, default: 100 });
    expect(Object.keys(post.responses).sort()).toEqual(['200', '202', '400', '401', '403', '413', '415', '422', '429', '503']);
    expect(post.responses['202'].headers.location.schema).toMatchObject({ type: 'string' });
    expect(post.responses['200'].headers).toHaveProperty('location');
    // every /api operation can meet Redis (or the store) being down
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      if (!path.startsWith('/api/')) continue;
      for (const op of Object.values(ops)) expect(op.responses, path).toHaveProperty('503');
    }
    const envelope = post.responses['422'].content['application/json'].schema;
    expect(Object.keys(envelope.properties).sort()).toEqual(['details', 'error_code', 'error_message', 'request_id']);
    expect(doc.paths['/api/imports/{job_id}'].delete.responses).toHaveProperty('409');
    expect(doc.paths['/api/imports/{job_id}/events'].get.responses['200'].content).toHaveProperty('text/event-stream');
    const callback = doc.paths['/api/imports/{job_id}/callback'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(callback.properties).sort()).toEqual(['attempts', 'last_attempt_at', 'last_error', 'status']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(post.security).toEqual([{ bearer: [] }]);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await app.inject('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('logs', () => {
  it('never contain a credential from a body or the Authorization header', async () => {
    const authed = await env.app({ apiKeys: new Map([[API_KEY, 'acme']]) });
    const headers = { authorization: `Bearer ${API_KEY}` };
    const before = env.logs.length;
    await authed.inject({ method: 'POST', url: '/api/imports', headers, payload: importBody({ token: SECRET }) });
    await authed.inject({ method: 'POST', url: '/api/imports', headers, payload: importBody({ token: SECRET, api_tokn: SECRET }) });
    await authed.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"source_config": {"token": "${SECRET}"`,
    });
    await authed.inject({ url: '/api/imports', headers: { authorization: `Bearer ${SECRET}` } });
    // Anything that logs a request or body object goes through the redaction paths.
    authed.log.info({ body: importBody({ token: SECRET, password: SECRET }), req: { headers } }, 'explicit');
    const written = env.logs.slice(before).join('\n');
    expect(written).toContain('incoming request');
    expect(written).toContain('[REDACTED]');
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain(API_KEY);
  });
});

describe('probe request logs', () => {
  it('at info, /health and /metrics write no request lines while API calls do; at debug they do', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const quiet = await env.app({ logger });
    await quiet.inject('/health');
    await quiet.inject('/metrics');
    expect(lines.filter((l) => l.includes('/health') || l.includes('/metrics'))).toEqual([]);
    await quiet.inject('/api/imports');
    expect(lines.some((l) => l.includes('incoming request') && l.includes('/api/imports'))).toBe(true);
    const verbose: string[] = [];
    const loud = await env.app({ logger: pino({ level: 'debug' }, { write: (line: string) => void verbose.push(line) }) });
    await loud.inject('/health');
    expect(verbose.some((l) => l.includes('incoming request') && l.includes('/health'))).toBe(true);
  });
});
