/**
 * GitLab, Jira and ServiceNow deliveries at the door (no worker: what is queued stays to be read):
 * each vendor's signature accepted and refused, what the payload names (the reference, the delete
 * flag, never the content), delivery ids, and deliveries about another project or table ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, randomUUID } from 'node:crypto';
import type { WebhookJobData } from '../../src/webhooks/queue.js';
import { auth, entryId, gitlabDelivery, jiraDelivery, send, servicenowDelivery, webhookEnv, type WebhookEnv } from './support.js';

// Never contacted: nothing runs without a worker.
const BASE = 'http://127.0.0.1:9';
let env: WebhookEnv;

async function createSync(source_type: string, source_config: Record<string, unknown>): Promise<{ sync_id: string; webhook_secret: string }> {
  const res = await env.app.inject({ method: 'POST', url: '/api/syncs', headers: auth, payload: { source_type, source_config, schedule: { every_seconds: 3600 } } });
  expect(res.statusCode).toBe(201);
  return res.json();
}

async function queuedData(syncId: string, deliveryId: string): Promise<WebhookJobData | undefined> {
  return (await env.harness.deps.webhookQueue.getJob(entryId(syncId, deliveryId)))?.data;
}

const count = async () => Object.values(await env.harness.deps.webhookQueue.getJobCounts('waiting', 'delayed', 'active')).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  env = await webhookEnv({ worker: false });
});
afterAll(async () => env?.cleanup());

describe('GitLab: X-Gitlab-Token', () => {
  let sync: { sync_id: string; webhook_secret: string };
  const project = { id: 4242, path_with_namespace: 'group/app' };
  beforeAll(async () => {
    sync = await createSync('gitlab', { base_url: BASE, token: 'glpat-secret-token-value', project_id: 'group/app' });
  });

  it('accepts the secret token: an Issue Hook queues the iid, a Note Hook on an issue its issue\'s iid', async () => {
    const id = randomUUID();
    const issue = await send(env.app, sync.sync_id, gitlabDelivery(sync.webhook_secret, { object_kind: 'issue', project, object_attributes: { iid: 7, title: 'FORGED', action: 'update' } }, id));
    expect(issue.statusCode).toBe(202);
    expect(issue.json()).toEqual({ status: 'queued' });
    const data = await queuedData(sync.sync_id, id);
    expect(data).toMatchObject({ sync_id: sync.sync_id, ref: '7', deleted: false });
    expect(JSON.stringify(data)).not.toContain('FORGED');
    const noteId = randomUUID();
    const note = await send(env.app, sync.sync_id, gitlabDelivery(sync.webhook_secret, { object_kind: 'note', project, object_attributes: { noteable_type: 'Issue', note: 'x' }, issue: { iid: 9 } }, noteId));
    expect(note.json()).toEqual({ status: 'queued' });
    expect((await queuedData(sync.sync_id, noteId))?.ref).toBe('9');
  });

  it('Idempotency-Key, when sent, is the delivery id (the same on GitLab\'s retries)', async () => {
    const key = randomUUID();
    const d = gitlabDelivery(sync.webhook_secret, { object_kind: 'issue', project, object_attributes: { iid: 8 } });
    const first = await send(env.app, sync.sync_id, { ...d, headers: { ...d.headers, 'idempotency-key': key } });
    expect(first.json()).toEqual({ status: 'queued' });
    const retry = await send(env.app, sync.sync_id, { ...d, headers: { ...d.headers, 'idempotency-key': key, 'x-gitlab-event-uuid': randomUUID() } });
    expect(retry.json()).toEqual({ status: 'duplicate' });
  });

  it('refuses a missing or wrong token with 401', async () => {
    const before = await count();
    const payload = { object_kind: 'issue', project, object_attributes: { iid: 7 } };
    for (const token of [null, 'wrong', `${sync.webhook_secret}x`, sync.webhook_secret.slice(1)]) {
      const res = await send(env.app, sync.sync_id, gitlabDelivery(token, payload));
      expect(res.statusCode).toBe(401);
      expect(res.json().error_code).toBe('UNAUTHORIZED');
    }
    expect(await count()).toBe(before);
    // the token is the secret itself: never logged
    expect(env.logs.join('\n')).not.toContain(sync.webhook_secret);
  });

  it('ignores another project, merge requests and notes on them', async () => {
    const other = await send(env.app, sync.sync_id, gitlabDelivery(sync.webhook_secret, { object_kind: 'issue', project: { id: 1, path_with_namespace: 'group/other' }, object_attributes: { iid: 7 } }));
    expect(other.json()).toMatchObject({ status: 'ignored' });
    const mr = await send(env.app, sync.sync_id, gitlabDelivery(sync.webhook_secret, { object_kind: 'merge_request', project, object_attributes: { iid: 3 } }));
    expect(mr.json()).toMatchObject({ status: 'ignored' });
    const mrNote = await send(env.app, sync.sync_id, gitlabDelivery(sync.webhook_secret, { object_kind: 'note', project, object_attributes: { noteable_type: 'MergeRequest' }, merge_request: { iid: 3 } }));
    expect(mrNote.json()).toMatchObject({ status: 'ignored' });
  });
});

describe('Jira: X-Hub-Signature (sha256=HMAC)', () => {
  let sync: { sync_id: string; webhook_secret: string };
  beforeAll(async () => {
    sync = await createSync('jira', { base_url: BASE, email: 'bot@example.com', api_token: 'jira-api-token-value', project_key: 'TEST' });
  });

  it('accepts a signed issue event (by issue id) and a comment event; jira:issue_deleted carries the delete flag', async () => {
    const id = randomUUID();
    const res = await send(env.app, sync.sync_id, jiraDelivery(sync.webhook_secret, { webhookEvent: 'jira:issue_updated', issue: { id: '10001', key: 'TEST-1', fields: { project: { key: 'TEST' }, summary: 'FORGED' } } }, id));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'queued' });
    expect(await queuedData(sync.sync_id, id)).toMatchObject({ ref: '10001', deleted: false });
    const del = randomUUID();
    await send(env.app, sync.sync_id, jiraDelivery(sync.webhook_secret, { webhookEvent: 'jira:issue_deleted', issue: { id: '10002', key: 'TEST-2' } }, del));
    expect(await queuedData(sync.sync_id, del)).toMatchObject({ ref: '10002', deleted: true });
    const comment = randomUUID();
    await send(env.app, sync.sync_id, jiraDelivery(sync.webhook_secret, { webhookEvent: 'comment_created', comment: { body: 'x' }, issue: { key: 'TEST-3' } }, comment));
    expect(await queuedData(sync.sync_id, comment)).toMatchObject({ ref: 'TEST-3' });
    // X-Atlassian-Webhook-Identifier: the same on Jira's retries
    const again = await send(env.app, sync.sync_id, jiraDelivery(sync.webhook_secret, { webhookEvent: 'jira:issue_updated', issue: { id: '10001' } }, id));
    expect(again.json()).toEqual({ status: 'duplicate' });
  });

  it('refuses a missing, wrong or non-sha256 signature with 401', async () => {
    const before = await count();
    const payload = { webhookEvent: 'jira:issue_updated', issue: { id: '10001', key: 'TEST-1' } };
    expect((await send(env.app, sync.sync_id, jiraDelivery(null, payload))).statusCode).toBe(401);
    expect((await send(env.app, sync.sync_id, jiraDelivery('wrong-secret', payload))).statusCode).toBe(401);
    const d = jiraDelivery(sync.webhook_secret, payload);
    const sha1 = await send(env.app, sync.sync_id, { ...d, headers: { ...d.headers, 'x-hub-signature': d.headers['x-hub-signature']!.replace('sha256=', 'sha1=') } });
    expect(sha1.statusCode).toBe(401);
    // GitHub's header name is not Jira's
    const renamed = await send(env.app, sync.sync_id, { ...d, headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.headers['x-hub-signature']! } });
    expect(renamed.statusCode).toBe(401);
    expect(await count()).toBe(before);
  });

  it('ignores another project and events that are not about issues', async () => {
    const other = await send(env.app, sync.sync_id, jiraDelivery(sync.webhook_secret, { webhookEvent: 'jira:issue_updated', issue: { id: '20001', key: 'OTHER-1', fields: { project: { key: 'OTHER' } } } }));
    expect(other.json()).toMatchObject({ status: 'ignored' });
    const sprint = await send(env.app, sync.sync_id, jiraDelivery(sync.webhook_secret, { webhookEvent: 'sprint_started', sprint: { id: 1 } }));
    expect(sprint.json()).toMatchObject({ status: 'ignored' });
  });
});

describe('ServiceNow: X-Signature-256 from the business rule', () => {
  let sync: { sync_id: string; webhook_secret: string };
  const sysId = '9d385017c611228701d22104cc95c371';
  beforeAll(async () => {
    sync = await createSync('servicenow', { base_url: BASE, username: 'integration', password: 'sn-password-value', table: 'incident' });
  });

  it('accepts a signed {sys_id, table, action, delivery_id}; delivery_id deduplicates; action delete carries the flag', async () => {
    const deliveryId = randomUUID();
    const body = { sys_id: sysId, table: 'incident', action: 'update', delivery_id: deliveryId };
    const res = await send(env.app, sync.sync_id, servicenowDelivery(sync.webhook_secret, body));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'queued' });
    expect(await queuedData(sync.sync_id, deliveryId)).toMatchObject({ ref: sysId, deleted: false });
    expect((await send(env.app, sync.sync_id, servicenowDelivery(sync.webhook_secret, body))).json()).toEqual({ status: 'duplicate' });
    // GlideCertificateEncryption.generateMac answers in base64: accepted as well as hex
    const b64 = randomUUID();
    const d = servicenowDelivery(sync.webhook_secret, { ...body, delivery_id: b64 });
    const base64 = `sha256=${createHmac('sha256', sync.webhook_secret).update(d.body).digest('base64')}`;
    expect((await send(env.app, sync.sync_id, { ...d, headers: { ...d.headers, 'x-signature-256': base64 } })).json()).toEqual({ status: 'queued' });
    const wrong64 = `sha256=${createHmac('sha256', 'wrong').update(d.body).digest('base64')}`;
    expect((await send(env.app, sync.sync_id, { ...d, headers: { ...d.headers, 'x-signature-256': wrong64 } })).statusCode).toBe(401);
    const del = randomUUID();
    await send(env.app, sync.sync_id, servicenowDelivery(sync.webhook_secret, { ...body, action: 'delete', delivery_id: del }));
    expect(await queuedData(sync.sync_id, del)).toMatchObject({ deleted: true });
  });

  it('refuses a missing or wrong signature with 401; a signed payload of the wrong shape is 422; another table is ignored', async () => {
    const before = await count();
    const body = { sys_id: sysId, table: 'incident', action: 'update', delivery_id: randomUUID() };
    expect((await send(env.app, sync.sync_id, servicenowDelivery(null, body))).statusCode).toBe(401);
    expect((await send(env.app, sync.sync_id, servicenowDelivery('wrong', body))).statusCode).toBe(401);
    const bad = await send(env.app, sync.sync_id, servicenowDelivery(sync.webhook_secret, { ...body, sys_id: "x' OR 1=1" }));
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details).toEqual([expect.objectContaining({ path: '/sys_id' })]);
    const notJson = await send(env.app, sync.sync_id, { ...servicenowDelivery(sync.webhook_secret, {}), body: 'not json' });
    expect(notJson.statusCode).toBe(401); // signed other bytes
    const other = await send(env.app, sync.sync_id, servicenowDelivery(sync.webhook_secret, { ...body, table: 'problem' }));
    expect(other.json()).toMatchObject({ status: 'ignored' });
    expect(await count()).toBe(before);
  });
});
