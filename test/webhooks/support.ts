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

export function send(app: FastifyInstance, syncId: string, d: Delivery) {
  return app.inject({ method: 'POST', url: `/api/webhooks/${syncId}`, headers: d.headers, payload: d.body });
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
