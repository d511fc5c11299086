/**
 * Webhook tests' kit: the service (real Redis, PGlite, the real connectors, a worker with its
 * webhook handler) behind the HTTP app, and the four vendors' ways of signing a delivery — kept
 * here, in test code, not in the vendor fakes.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import { connectors } from '../../src/connectors/registry.js';
import { startHarness, type Harness } from '../support/harness.js';
import { testPolicy } from '../support/policy.js';

export const API_KEY = 'webhook-test-key-0123456789';
export const auth = { authorization: `Bearer ${API_KEY}` };

export interface WebhookEnv {
  harness: Harness;
  app: FastifyInstance;
  logs: string[];
  cleanup(): Promise<void>;
}

/** API keys on (the webhook route must not need one); loopback sources allowed. */
export async function webhookEnv(opts: { worker?: boolean } = {}): Promise<WebhookEnv> {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const harness = await startHarness({
    connectors, logger, worker: opts.worker, env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' },
    policy: testPolicy({ webhooks: { retryBaseMs: 100 } }),
  });
  const d = harness.deps;
  const app = await buildApp({
    jobs: d.jobs, items: d.store, health: healthProbe(d.redis, d.store), connectors: d.connectors,
    apiKeys: new Map([[API_KEY, 'acme']]), version: '9.9.9-test', environment: 'test', logger, policy: d.policy.api,
    syncs: d.syncs, webhooks: d.webhooks,
  });
  return {
    harness, app, logs,
    async cleanup() {
      await app.close();
      await harness.cleanup();
    },
  };
}

export const hmac = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
/** The queue entry id a delivery id gets (src/webhooks/receive.ts). */
export const entryId = (syncId: string, deliveryId: string) => `wh-${syncId}-${createHash('sha256').update(deliveryId).digest('hex')}`;

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/** As GitHub sends it: JSON, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 (secret null: unsigned). */
export function githubDelivery(secret: string | null, event: string, payload: unknown, id = randomUUID()): Delivery {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'user-agent': 'GitHub-Hookshot/abc',
      ...(secret !== null && { 'x-hub-signature-256': hmac(secret, body) }),
    },
  };
}

/** As GitLab sends it: the secret token itself in X-Gitlab-Token. */
export function gitlabDelivery(token: string | null, payload: unknown, id = randomUUID()): Delivery {
  const kind = (payload as { object_kind?: string }).object_kind;
  return {
    body: JSON.stringify(payload),
    headers: {
      'content-type': 'application/json', 'x-gitlab-event': kind === 'note' ? 'Note Hook' : 'Issue Hook', 'x-gitlab-event-uuid': id,
      ...(token !== null && { 'x-gitlab-token': token }),
    },
  };
}

/** As Jira Cloud sends a webhook with a secret: X-Hub-Signature sha256=…, X-Atlassian-Webhook-Identifier. */
export function jiraDelivery(secret: string | null, payload: unknown, id = String(Date.now()) + Math.random()): Delivery {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json', 'x-atlassian-webhook-identifier': id,
      ...(secret !== null && { 'x-hub-signature': hmac(secret, body) }),
    },
  };
}

/** As the README's ServiceNow business rule sends it: X-Signature-256 over {sys_id, table, action, delivery_id}. */
export function servicenowDelivery(secret: string | null, payload: unknown): Delivery {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', ...(secret !== null && { 'x-signature-256': hmac(secret, body) }) } };
}

/** An item as GET /api/items answers it, the fields these tests read. */
export interface StoredItem {
  id: string;
  external_id: string;
  key: string;
  title: string;
  description: string | null;
  comments: { body: string }[];
  deleted_at: string | null;
}

/** The tenant's stored items of one source (deleted ones too with `&include_deleted=true`). */
export async function storedItems(env: WebhookEnv, sourceType: string, query = ''): Promise<StoredItem[]> {
  const res = await env.app.inject({ url: `/api/items?source_type=${sourceType}&limit=1000${query}`, headers: auth });
  return res.json().items;
}

/** Creates a sync through the API and waits for its first (full) run to complete. */
export async function syncWithFirstRun(env: WebhookEnv, body: Record<string, unknown>): Promise<{ syncId: string; secret: string }> {
  const res = await env.app.inject({ method: 'POST', url: '/api/syncs', headers: auth, payload: { schedule: { every_seconds: 3600 }, ...body } });
  if (res.statusCode !== 201) throw new Error(`POST /api/syncs answered ${res.statusCode}: ${res.body}`);
  const { sync_id: syncId, webhook_secret: secret } = res.json();
  await waitUntil(async () => {
    const s = (await env.app.inject({ url: `/api/syncs/${syncId}`, headers: auth })).json();
    if (s.last_status === 'failed') throw new Error(`the first run failed: ${JSON.stringify(s)}`);
    return s.last_status === 'completed' ? s : undefined;
  }, 30_000, 'the first run');
  return { syncId, secret };
}

/** Waits until the worker has finished with a delivery (its queue entry completed). */
export async function processed(env: WebhookEnv, syncId: string, deliveryId: string): Promise<void> {
  await waitUntil(async () => {
    const job = await env.harness.deps.webhookQueue.getJob(entryId(syncId, deliveryId));
    return job && (await job.isCompleted()) ? true : undefined;
  }, 10_000, `delivery ${deliveryId} to be processed`);
}

/** Entries in the webhook queue, whatever their state. */
export async function queued(env: WebhookEnv): Promise<number> {
  const c = await env.harness.deps.webhookQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  return Object.values(c).reduce((a, b) => a + b, 0);
}

export interface Change { seq: number; change: string; item_id: string; project: string; external_id: string }

/** The change feed's cursor for "now". */
export async function latestCursor(env: WebhookEnv): Promise<string> {
  return (await env.app.inject({ url: '/api/items/changes?cursor=latest', headers: auth })).json().next_cursor;
}

/** Changes after a cursor (from the beginning without one). */
export async function changesAfter(env: WebhookEnv, cursor?: string): Promise<Change[]> {
  const res = await env.app.inject({ url: `/api/items/changes?limit=1000${cursor === undefined ? '' : `&cursor=${cursor}`}`, headers: auth });
  return res.json().changes;
}

export function send(app: FastifyInstance, syncId: string, d: Delivery) {
  return app.inject({ method: 'POST', url: `/api/webhooks/${syncId}`, headers: d.headers, payload: d.body });
}

/**
 * Sends a delivery that must be answered 202 `queued` within 1 s, then waits — at most 5 s from sending,
 * CONTRACT §12 — until `check` finds the stored item as the source has it. Returns what `check` found.
 */
export async function deliverAndWait<T>(env: WebhookEnv, syncId: string, d: Delivery, check: () => Promise<T | undefined>, what: string): Promise<T> {
  const started = Date.now();
  const res = await send(env.app, syncId, d);
  const answeredMs = Date.now() - started;
  if (res.statusCode !== 202 || res.json().status !== 'queued') throw new Error(`the delivery was answered ${res.statusCode} ${res.body}`);
  if (answeredMs >= 1000) throw new Error(`the delivery was answered after ${answeredMs} ms`);
  const found = await waitUntil(check, 5_000 - (Date.now() - started), what);
  const latencyMs = Date.now() - started;
  if (latencyMs >= 5_000) throw new Error(`${what} took ${latencyMs} ms`);
  return found;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitUntil<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
