/**
 * CONTRACT §12 end to end against the Jira Cloud fake: a sync created through the API, its first
 * run, then signed (X-Hub-Signature) issue and comment deliveries whose payloads lie — the stored
 * item follows the source within 5 s, read with GET issue and, past the comments it embeds, the
 * comment endpoint; `jira:issue_deleted` for an issue the source no longer has marks it deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraFake } from '../../src/sandbox/fakes/jira.js';
import { generateIssues } from '../../src/sandbox/fakes/jira-data.js';
import {
  changesAfter, deliverAndWait, jiraDelivery, latestCursor, send, storedItems, syncWithFirstRun, webhookEnv, type WebhookEnv,
} from './support.js';

let fake: JiraFake;
let env: WebhookEnv;
let syncId: string;
let secret: string;

const byKey = async (key: string, query = '') => (await storedItems(env, 'jira', query)).find((i) => i.key === key);
const sourceComments = (key: string) => fake.issue(key)!.comments.map((c) => c.body);
const event = (webhookEvent: string, id: number, key: string, extra: Record<string, unknown> = {}) =>
  ({ timestamp: Date.now(), webhookEvent, issue: { id: String(id), key, fields: { project: { key: 'TEST' }, summary: 'FORGED summary' } }, ...extra });

describe('Jira webhooks', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // GET issue embeds 2 comments at most here, so a longer thread needs the comment endpoint
    fake = new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 4, comments: (i) => i }), embedComments: 2 });
    await fake.start();
    env = await webhookEnv();
    ({ syncId, secret } = await syncWithFirstRun(env, {
      source_type: 'jira', source_config: { base_url: fake.baseUrl, ...fake.credentials, project_key: 'TEST' },
    }));
    expect((await storedItems(env, 'jira')).map((i) => i.key).sort()).toEqual(['TEST-1', 'TEST-2', 'TEST-3', 'TEST-4']);
  });
  afterAll(async () => {
    await env?.cleanup();
    await fake?.close();
  });

  it('a signed jira:issue_updated stores the issue as the source has it, not as the payload says, within 5 s, all comments in 2 requests', async () => {
    fake.edit('TEST-3', { summary: 'Summary from the source', description: 'Description from the source' });
    fake.addComment('TEST-3', 'A comment added at the source');
    fake.requests.length = 0;
    const before = await byKey('TEST-3');
    const item = await deliverAndWait(env, syncId, jiraDelivery(secret, event('jira:issue_updated', 10002, 'TEST-3')), async () => {
      const i = await byKey('TEST-3');
      return i?.title === 'Summary from the source' ? i : undefined;
    }, 'the issue to be updated');
    expect(item.id).toBe(before!.id);
    expect(item.description).toContain('Description from the source');
    expect(item.comments.map((c) => c.body)).toEqual(sourceComments('TEST-3'));
    expect(item.comments).toHaveLength(3); // 2 seeded + 1: one more than GET issue embeds
    expect(JSON.stringify(item)).not.toContain('FORGED');
    expect(fake.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/rest/api/3/issue/10002', 200],
      ['GET', '/rest/api/3/issue/10002/comment', 200],
    ]);
  });

  it('a comment_created delivery brings the comments up to date', async () => {
    fake.addComment('TEST-1', 'First comment on TEST-1');
    const item = await deliverAndWait(env, syncId, jiraDelivery(secret, event('comment_created', 10000, 'TEST-1', { comment: { id: '1', body: 'FORGED' } })), async () => {
      const i = await byKey('TEST-1');
      return i?.comments.length === 1 ? i : undefined;
    }, 'the comment');
    expect(item.comments[0]!.body).toBe('First comment on TEST-1');
  });

  it('jira:issue_deleted for an issue the source no longer has marks it deleted, with a `deleted` change', async () => {
    const cursor = await latestCursor(env);
    const target = (await byKey('TEST-4'))!;
    fake.remove('TEST-4');
    fake.requests.length = 0;
    const gone = await deliverAndWait(env, syncId, jiraDelivery(secret, event('jira:issue_deleted', 10003, 'TEST-4')), async () => {
      const i = await byKey('TEST-4', '&include_deleted=true');
      return i?.deleted_at ? i : undefined;
    }, 'the issue to be marked deleted');
    expect(gone.id).toBe(target.id);
    expect(await byKey('TEST-4')).toBeUndefined();
    expect(await changesAfter(env, cursor)).toEqual([expect.objectContaining({ change: 'deleted', item_id: target.id, project: 'TEST' })]);
    // the 404, then one count of the scope: a project the account can no longer read would fail here instead
    expect(fake.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/rest/api/3/issue/10003', 404],
      ['POST', '/rest/api/3/search/approximate-count', 200],
    ]);
  });

  it('a signature over other bytes is refused and reads nothing', async () => {
    fake.requests.length = 0;
    const signed = jiraDelivery(secret, event('jira:issue_updated', 10000, 'TEST-1'));
    const res = await send(env.app, syncId, { ...signed, body: signed.body.replace('10000', '10001') });
    expect(res.statusCode).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });
});
