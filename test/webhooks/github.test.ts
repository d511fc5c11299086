/**
 * CONTRACT §12 end to end against the GitHub fake: a sync created through the API, its first run,
 * then signed `issues` / `issue_comment` deliveries whose payloads lie — the stored item follows the
 * source, within 5 s, in a handful of requests. Unsigned, wrongly signed, repeated, unknown-sync,
 * out-of-scope, paused and delete deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GithubFake } from '../../src/sandbox/fakes/github.js';
import {
  auth, changesAfter, githubDelivery, latestCursor, processed as processedBy, queued as queuedIn, send, storedItems,
  syncWithFirstRun, waitUntil, webhookEnv, type WebhookEnv,
} from './support.js';

const REPO = { full_name: 'octo-org/hello-world' };
let fake: GithubFake;
let env: WebhookEnv;
let syncId: string;
let secret: string;

const items = (query = '') => storedItems(env, 'github', query);
const byKey = async (key: string, query = '') => (await items(query)).find((i) => i.key === key);
const processed = (deliveryId: string) => processedBy(env, syncId, deliveryId);
const queued = () => queuedIn(env);

describe('GitHub webhooks', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    fake = new GithubFake({ issues: 6, prEvery: 3, commentsFor: (n) => (n === 2 ? 2 : 0) });
    await fake.start();
    env = await webhookEnv();
    ({ syncId, secret } = await syncWithFirstRun(env, {
      source_type: 'github', source_config: { base_url: fake.baseUrl, token: fake.token, owner: 'octo-org', repo: 'hello-world' },
    }));
    // the first run (full) stores issues 1, 2, 4, 5 (3 and 6 are pull requests)
    expect((await items()).map((i) => i.key).sort()).toEqual(['#1', '#2', '#4', '#5']);
  });
  afterAll(async () => {
    await env?.cleanup();
    await fake?.close();
  });

  it('a signed `issues` delivery stores the item as the source has it (not as the payload says) within 5 s, in a handful of requests', async () => {
    fake.data.edit(2, { title: 'Title from the source', body: 'Body from the source' });
    fake.data.addComment(2, 'A comment added at the source');
    fake.requests.length = 0;
    const before = await byKey('#2');
    const lying = { action: 'edited', issue: { number: 2, title: 'FORGED title', body: 'FORGED body', comments: 99 }, repository: REPO };
    const started = Date.now();
    const res = await send(env.app, syncId, githubDelivery(secret, 'issues', lying));
    const answeredMs = Date.now() - started;
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'queued' });
    expect(answeredMs).toBeLessThan(1000);
    const item = await waitUntil(async () => {
      const i = await byKey('#2');
      return i?.title === 'Title from the source' ? i : undefined;
    }, 5_000, 'the item to be updated');
    const latencyMs = Date.now() - started;
    expect(latencyMs).toBeLessThan(5_000);
    expect(item.id).toBe(before!.id);
    expect(item.description).toBe('Body from the source');
    expect(item.comments.map((c) => c.body)).toContain('A comment added at the source');
    expect(item.comments).toHaveLength(3);
    expect(JSON.stringify(item)).not.toContain('FORGED');
    // the issue and its comments: no scope re-import
    const paths = fake.requests.map((r) => r.path);
    expect(paths.length).toBeLessThanOrEqual(4);
    expect(paths).toEqual(expect.arrayContaining(['/repos/octo-org/hello-world/issues/2', '/repos/octo-org/hello-world/issues/2/comments']));
    expect(paths.every((p) => p.includes('/issues/2'))).toBe(true);
    // one 'updated' change in the feed
    expect((await changesAfter(env)).filter((c) => c.item_id === item.id && c.change === 'updated')).toHaveLength(1);
    console.log(`webhook: answered in ${answeredMs} ms, item stored ${latencyMs} ms after the delivery, ${paths.length} source requests`);
  });

  it('an `issue_comment` delivery brings the item\'s comments up to date', async () => {
    fake.data.addComment(1, 'First comment on #1');
    const res = await send(env.app, syncId, githubDelivery(secret, 'issue_comment', { action: 'created', issue: { number: 1 }, comment: { body: 'FORGED' }, repository: REPO }));
    expect(res.statusCode).toBe(202);
    const item = await waitUntil(async () => {
      const i = await byKey('#1');
      return i?.comments.length === 1 ? i : undefined;
    }, 5_000, 'the comment');
    expect(item.comments[0]!.body).toBe('First comment on #1');
  });

  it('refuses an unsigned delivery, a wrong signature and a signature of other bytes with 401, and queues nothing', async () => {
    const before = await queued();
    fake.requests.length = 0;
    fake.data.edit(5, { title: 'Changed at the source, never announced' });
    const payload = { action: 'edited', issue: { number: 5 }, repository: REPO };
    const unsigned = await send(env.app, syncId, githubDelivery(null, 'issues', payload));
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json()).toMatchObject({ error_code: 'UNAUTHORIZED', details: [] });
    expect(unsigned.json().request_id).toBeTruthy();
    const wrong = await send(env.app, syncId, githubDelivery('not-the-secret', 'issues', payload));
    expect(wrong.statusCode).toBe(401);
    const signed = githubDelivery(secret, 'issues', payload);
    const tampered = await send(env.app, syncId, { ...signed, body: signed.body.replace('"number":5', '"number":4') });
    expect(tampered.statusCode).toBe(401);
    const malformed = await send(env.app, syncId, { ...signed, headers: { ...signed.headers, 'x-hub-signature-256': 'sha256=abc' } });
    expect(malformed.statusCode).toBe(401);
    // an API key is no substitute for the signature
    const keyed = await send(env.app, syncId, { ...githubDelivery(null, 'issues', payload), headers: { ...githubDelivery(null, 'issues', payload).headers, ...auth } });
    expect(keyed.statusCode).toBe(401);
    expect(await queued()).toBe(before);
    expect(fake.requests).toHaveLength(0);
    expect((await byKey('#5'))!.title).not.toBe('Changed at the source, never announced');
  });

  it('a repeated delivery id does nothing twice', async () => {
    const id = randomUUID();
    fake.data.edit(4, { title: 'Edited once' });
    const d = githubDelivery(secret, 'issues', { action: 'edited', issue: { number: 4 }, repository: REPO }, id);
    expect((await send(env.app, syncId, d)).json()).toEqual({ status: 'queued' });
    await processed(id);
    const requests = fake.requests.length;
    const jobs = await queued();
    const again = await send(env.app, syncId, d);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ status: 'duplicate' });
    // the same id with another body (a redelivery GitHub re-signed) is the same delivery too
    const other = githubDelivery(secret, 'issue_comment', { action: 'created', issue: { number: 4 }, repository: REPO }, id);
    expect((await send(env.app, syncId, other)).json()).toEqual({ status: 'duplicate' });
    expect(await queued()).toBe(jobs);
    // one more delivery, processed after the repeats: had they been queued, they would have run first
    const later = randomUUID();
    await send(env.app, syncId, githubDelivery(secret, 'issues', { action: 'edited', issue: { number: 1 }, repository: REPO }, later));
    await processed(later);
    expect(fake.requests.slice(requests).filter((r) => r.path.includes('/issues/4'))).toHaveLength(0);
    expect((await byKey('#4'))!.title).toBe('Edited once');
  });

  it('a delete event marks the item deleted once the source confirms it gone, with a `deleted` change', async () => {
    const cursor = await latestCursor(env);
    fake.inject({ kind: 'gone', match: /\/issues\/4$/ });
    const target = (await byKey('#4'))!;
    const res = await send(env.app, syncId, githubDelivery(secret, 'issues', { action: 'deleted', issue: { number: 4 }, repository: REPO }));
    expect(res.statusCode).toBe(202);
    const gone = await waitUntil(async () => {
      const i = await byKey('#4', '&include_deleted=true');
      return i?.deleted_at ? i : undefined;
    }, 5_000, 'the item to be marked deleted');
    expect(gone.id).toBe(target.id);
    expect(await byKey('#4')).toBeUndefined();
    expect(await changesAfter(env, cursor)).toEqual([expect.objectContaining({ change: 'deleted', item_id: target.id, project: 'octo-org/hello-world' })]);
  });

  it('a delete event for an item the source still has deletes nothing (the payload is not trusted)', async () => {
    const id = randomUUID();
    await send(env.app, syncId, githubDelivery(secret, 'issues', { action: 'deleted', issue: { number: 5 }, repository: REPO }, id));
    await processed(id);
    const item = await byKey('#5');
    expect(item?.deleted_at).toBeNull();
    expect(item?.title).toBe('Changed at the source, never announced'); // read afresh instead
  });

  it('ignores other repositories, other events and pull requests the sync does not read', async () => {
    const other = await send(env.app, syncId, githubDelivery(secret, 'issues', { action: 'edited', issue: { number: 1 }, repository: { full_name: 'octo-org/other' } }));
    expect(other.statusCode).toBe(202);
    expect(other.json()).toMatchObject({ status: 'ignored' });
    const ping = await send(env.app, syncId, githubDelivery(secret, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 }));
    expect(ping.json()).toMatchObject({ status: 'ignored' });
    const id = randomUUID();
    const pr = await send(env.app, syncId, githubDelivery(secret, 'issue_comment', { action: 'created', issue: { number: 3 }, repository: REPO }, id));
    expect(pr.json()).toEqual({ status: 'queued' });
    await processed(id);
    expect(await byKey('#3', '&include_deleted=true')).toBeUndefined();
  });

  it('an unknown or malformed sync id is 404 and queues nothing; a body over 1 MiB is 413', async () => {
    const before = await queued();
    const d = githubDelivery(secret, 'issues', { action: 'edited', issue: { number: 1 }, repository: REPO });
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await send(env.app, id, d);
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('SYNC_NOT_FOUND');
    }
    const big = await send(env.app, syncId, { headers: d.headers, body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) });
    expect(big.statusCode).toBe(413);
    expect(await queued()).toBe(before);
  });

  it('a paused sync acknowledges deliveries and changes nothing', async () => {
    const pause = await env.app.inject({ method: 'PATCH', url: `/api/syncs/${syncId}`, headers: auth, payload: { status: 'paused' } });
    expect(pause.statusCode).toBe(200);
    const before = await queued();
    const res = await send(env.app, syncId, githubDelivery(secret, 'issues', { action: 'edited', issue: { number: 1 }, repository: REPO }));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'ignored', reason: 'the sync is paused' });
    expect(await queued()).toBe(before);
  });
});
