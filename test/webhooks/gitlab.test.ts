/**
 * CONTRACT §12 end to end against the GitLab fake: a sync created through the API, its first run,
 * then Issue and Note Hook deliveries (X-Gitlab-Token) whose payloads lie — the stored item follows
 * the source within 5 s, read with the issue and its notes only; an issue deleted at the source is
 * marked deleted when its next delivery finds it gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GitLabFake } from '../../src/sandbox/fakes/gitlab.js';
import {
  changesAfter, deliverAndWait, gitlabDelivery, latestCursor, processed, send, storedItems, syncWithFirstRun, webhookEnv, type WebhookEnv,
} from './support.js';

const PATH = 'acme/platform/api';
const PROJECT = { id: 42, path_with_namespace: PATH };
const ISSUE_PATH = `/api/v4/projects/${encodeURIComponent(PATH)}/issues`;
let fake: GitLabFake;
let env: WebhookEnv;
let syncId: string;
let secret: string;

const byKey = async (key: string, query = '') => (await storedItems(env, 'gitlab', query)).find((i) => i.key === key);
const userNotes = (iid: number) => fake.project.userNotes(iid).map((n) => n.body);
const issueHook = (iid: number, action: string, attrs: Record<string, unknown> = {}) =>
  ({ object_kind: 'issue', event_type: 'issue', project: PROJECT, object_attributes: { iid, action, ...attrs } });

/** The issue's history (a sync reads it by default): its three resource event lists. */
const eventPaths = (iid: number) => ['state', 'label', 'milestone'].map((k) => `${ISSUE_PATH}/${iid}/resource_${k}_events`);

describe('GitLab webhooks', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    fake = new GitLabFake({ projectId: 42, projectPath: PATH });
    fake.project.seed(4); // user notes: #1 one, #2 two, #3 three, #4 none
    await fake.start();
    env = await webhookEnv();
    ({ syncId, secret } = await syncWithFirstRun(env, {
      source_type: 'gitlab', source_config: { base_url: fake.baseUrl, token: fake.token, project_id: PATH },
    }));
    expect((await storedItems(env, 'gitlab')).map((i) => i.key).sort()).toEqual(['#1', '#2', '#3', '#4']);
  });
  afterAll(async () => {
    await env?.cleanup();
    await fake?.close();
  });

  it('an Issue Hook stores the issue as the source has it, not as the payload says, within 5 s: the issue and its notes, nothing else', async () => {
    fake.project.update(2, { title: 'Title from the source', description: 'Body from the source' });
    fake.project.comment(2, 'A comment added at the source');
    fake.requests.length = 0;
    const before = await byKey('#2');
    const lying = issueHook(2, 'update', { title: 'FORGED title', description: 'FORGED body' });
    const item = await deliverAndWait(env, syncId, gitlabDelivery(secret, lying), async () => {
      const i = await byKey('#2');
      return i?.title === 'Title from the source' ? i : undefined;
    }, 'the issue to be updated');
    expect(item.id).toBe(before!.id);
    expect(item.description).toBe('Body from the source');
    expect(item.comments.map((c) => c.body)).toEqual(userNotes(2));
    expect(item.comments.map((c) => c.body)).toContain('A comment added at the source');
    expect(item.comments).toHaveLength(3);
    expect(JSON.stringify(item)).not.toContain('FORGED');
    const paths = fake.requests.map((r) => r.path);
    expect(paths).toEqual([`${ISSUE_PATH}/2`, `${ISSUE_PATH}/2/notes`, ...eventPaths(2)]);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('a Note Hook on an issue brings its comments up to date', async () => {
    fake.project.comment(4, 'First comment on #4');
    const note = { object_kind: 'note', event_type: 'note', project: PROJECT, object_attributes: { noteable_type: 'Issue', note: 'FORGED' }, issue: { iid: 4 } };
    const item = await deliverAndWait(env, syncId, gitlabDelivery(secret, note), async () => {
      const i = await byKey('#4');
      return i?.comments.length === 1 ? i : undefined;
    }, 'the comment');
    expect(item.comments[0]!.body).toBe('First comment on #4');
  });

  it('an issue deleted at the source is marked deleted by its next delivery, with a `deleted` change', async () => {
    // GitLab documents no delete action for issues: the deletion shows as the 404 of the next read.
    const cursor = await latestCursor(env);
    const target = (await byKey('#3'))!;
    fake.project.remove(3);
    fake.requests.length = 0;
    const gone = await deliverAndWait(env, syncId, gitlabDelivery(secret, issueHook(3, 'update')), async () => {
      const i = await byKey('#3', '&include_deleted=true');
      return i?.deleted_at ? i : undefined;
    }, 'the issue to be marked deleted');
    expect(gone.id).toBe(target.id);
    expect(await byKey('#3')).toBeUndefined();
    expect(await changesAfter(env, cursor)).toEqual([expect.objectContaining({ change: 'deleted', item_id: target.id, project: PATH })]);
    // the 404, then one read of the project to tell a deleted issue from a project gone out of reach
    expect(fake.requests.map((r) => [r.path, r.status])).toEqual([[`${ISSUE_PATH}/3`, 404], [`/api/v4/projects/${encodeURIComponent(PATH)}`, 200]]);
  });

  it('a wrong token is refused and reads nothing from the source', async () => {
    fake.requests.length = 0;
    const res = await send(env.app, syncId, gitlabDelivery('not-the-token', issueHook(1, 'update')));
    expect(res.statusCode).toBe(401);
    const id = randomUUID();
    await send(env.app, syncId, gitlabDelivery(secret, issueHook(1, 'update'), id));
    await processed(env, syncId, id);
    expect(fake.requests.map((r) => r.path)).toEqual([`${ISSUE_PATH}/1`, `${ISSUE_PATH}/1/notes`, ...eventPaths(1)]);
  });
});
