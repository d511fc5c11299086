/**
 * CONTRACT §12 end to end against the ServiceNow fake: a sync created through the API, its first
 * run, then deliveries as the README's business rule sends them ({sys_id, table, action,
 * delivery_id}, X-Signature-256) carrying fields they should not — the stored incident follows the
 * instance within 5 s, read with one record GET and one journal query; a deleted incident is marked
 * deleted, one an ACL hides from the sync's account is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { FakeServiceNow } from '../../src/sandbox/fakes/servicenow.js';
import { incidentNumber, seedIncidents } from '../../src/sandbox/fakes/servicenow-seed.js';
import {
  changesAfter, deliverAndWait, latestCursor, processed, servicenowDelivery, storedItems, syncWithFirstRun, webhookEnv, type WebhookEnv,
} from './support.js';

const USER = 'integration.user';
const PASSWORD = 'fake-password-0123';
/** sys_ids an ACL hides from the integration user (the fake answers their record GET with 404) */
const hidden = new Set<string>();
let fake: FakeServiceNow;
let env: WebhookEnv;
let syncId: string;
let secret: string;
let ids: string[];

const byNumber = async (i: number, query = '') => (await storedItems(env, 'servicenow', query)).find((x) => x.key === incidentNumber(i));
const journalOf = (id: string) => fake.data.rows('sys_journal_field').filter((r) => r.element_id === id).map((r) => r.value!).sort();
/** The rule's payload, plus content a forged or confused sender might add: never read. */
const rule = (sysId: string, action: string, deliveryId = randomUUID()) =>
  servicenowDelivery(secret, { sys_id: sysId, table: 'incident', action, delivery_id: deliveryId, short_description: 'FORGED', comments: 'FORGED' });
const RECORD = (id: string) => `/api/now/table/incident/${id}`;

describe('ServiceNow webhooks', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    fake = new FakeServiceNow({ users: { [USER]: PASSWORD }, hidden: (table, row) => table === 'incident' && hidden.has(row.sys_id!) });
    ids = seedIncidents(fake.data, { count: 4, journal: (i) => i }).map((r) => r.sys_id!);
    await fake.start();
    env = await webhookEnv();
    ({ syncId, secret } = await syncWithFirstRun(env, {
      source_type: 'servicenow', source_config: { base_url: fake.baseUrl, table: 'incident', username: USER, password: PASSWORD },
    }));
    expect((await storedItems(env, 'servicenow')).map((i) => i.key).sort()).toEqual([0, 1, 2, 3].map(incidentNumber));
  });
  afterAll(async () => {
    await env?.cleanup();
    await fake?.close();
  });

  it('an update delivery stores the incident as the instance has it within 5 s: one record GET, one journal, history and attachment query each', async () => {
    const id = ids[2]!;
    fake.data.update('incident', id, { short_description: 'Summary from the instance', description: 'Description from the instance' });
    fake.data.addJournal(id, 'comments', 'A comment added on the instance', 'beth.anglin');
    fake.requests.length = 0;
    const before = await byNumber(2);
    const item = await deliverAndWait(env, syncId, rule(id, 'update'), async () => {
      const i = await byNumber(2);
      return i?.title === 'Summary from the instance' ? i : undefined;
    }, 'the incident to be updated');
    expect(item.id).toBe(before!.id);
    expect(item.external_id).toBe(id);
    expect(item.description).toBe('Description from the instance');
    expect(item.comments.map((c) => c.body).sort()).toEqual(journalOf(id));
    expect(item.comments).toHaveLength(3); // a comment and a work note seeded, one comment added
    expect(JSON.stringify(item)).not.toContain('FORGED');
    // the record first; then its journal, history and attachments (and the dictionary, once per connector)
    expect(fake.requests[0]!.path).toBe(RECORD(id));
    expect(fake.requests.slice(1).map((r) => [r.path, r.status]).sort()).toEqual([
      ['/api/now/attachment', 200], ['/api/now/table/sys_audit', 200], ['/api/now/table/sys_choice', 200], ['/api/now/table/sys_dictionary', 200],
      ['/api/now/table/sys_documentation', 200], ['/api/now/table/sys_journal_field', 200],
    ]);
    expect(fake.tableRequests('sys_journal_field')[0]!.query.get('sysparm_query')).toContain(`element_idIN${id}`);
    expect((item as unknown as { history: unknown[] }).history.at(-1)).toMatchObject({ field: 'Short description', to: 'Summary from the instance' });
  });

  it('a delete delivery for an incident deleted on the instance marks it deleted, with a `deleted` change', async () => {
    const id = ids[3]!;
    const cursor = await latestCursor(env);
    const target = (await byNumber(3))!;
    fake.data.delete('incident', id);
    fake.requests.length = 0;
    const gone = await deliverAndWait(env, syncId, rule(id, 'delete'), async () => {
      const i = await byNumber(3, '&include_deleted=true');
      return i?.deleted_at ? i : undefined;
    }, 'the incident to be marked deleted');
    expect(gone.id).toBe(target.id);
    expect(await byNumber(3)).toBeUndefined();
    expect(await changesAfter(env, cursor)).toEqual([expect.objectContaining({ change: 'deleted', item_id: target.id, project: 'incident' })]);
    // the 404, then the table counted for that sys_id (before ACLs): 0
    expect(fake.requests.map((r) => [r.path, r.status])).toEqual([[RECORD(id), 404], ['/api/now/table/incident', 200]]);
    expect(fake.requests[1]!.query.get('sysparm_query')).toBe(`sys_id=${id}`);
  });

  it('a delete delivery for an incident an ACL hides (404 all the same) deletes nothing', async () => {
    const id = ids[1]!;
    hidden.add(id);
    try {
      const delivery = randomUUID();
      await deliverAndWait(env, syncId, rule(id, 'delete', delivery), async () => true, 'the delivery to be queued');
      await processed(env, syncId, delivery);
      expect((await byNumber(1))?.deleted_at).toBeNull();
    } finally {
      hidden.delete(id);
    }
  });
});
