/** GET /api/people[/{id}], PUT /api/people/{id}/links and person ids on GET /api/items, behind API keys. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Person, SourceType } from '../../src/connectors/connector.js';
import { sampleItem } from '../support/store.js';
import { httpEnv, type HttpEnv } from './support.js';

const ACME = 'people-acme-key-0123456789';
const GLOBEX = 'people-globex-key-0123456789';

let env: HttpEnv;
let app: FastifyInstance;
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Stores one item of `sourceType` in `tenant` with `assignee` and `reporter`, as an import batch does. */
async function store(tenant: string, sourceType: SourceType, n: number, assignee: Person, reporter: Person | null = null): Promise<string> {
  const ctx = { tenantId: tenant, sourceType, sourceInstance: `${sourceType}.example`, jobId: randomUUID(), batchNo: 1 };
  const [outcome] = await env.harness.deps.store.upsertBatch(ctx, [sampleItem(n, { assignee, reporter })], []);
  return outcome!.item_id!;
}

const ada = (external_id: string, email_verified = true): Person => ({ external_id, name: 'Ada', email: 'ada@example.com', email_verified });
const ref = (source_type: SourceType, external_id: string) => ({ source_type, source_instance: `${source_type}.example`, external_id });

let jiraItem: string;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app({ apiKeys: new Map([[ACME, 'acme'], [GLOBEX, 'globex']]) });
  jiraItem = await store('acme', 'jira', 1, ada('ada-jira'), { external_id: 'bob-jira', name: 'Bob', email: 'bob@example.com', email_verified: false });
  await store('acme', 'github', 2, ada('ada-gh'));
  await store('globex', 'github', 3, ada('ada-gh'));
}, 120_000);
afterAll(async () => env.cleanup());

const list = async (key: string, qs = '') => app.inject({ url: `/api/people${qs}`, headers: auth(key) });

describe('GET /api/people', () => {
  it('lists the tenant\'s persons: Ada once with her Jira and GitHub accounts, Bob apart', async () => {
    const res = await list(ACME);
    expect(res.statusCode).toBe(200);
    const { people, next_cursor } = res.json();
    expect(next_cursor).toBeNull();
    expect(people.map((p: { display_name: string }) => p.display_name)).toEqual(['Ada', 'Bob']);
    expect(people[0]).toMatchObject({ tenant_id: 'acme', primary_email: 'ada@example.com' });
    expect(people[0].accounts.map((a: { source_type: string; linked_by: string }) => [a.source_type, a.linked_by])).toEqual([['github', 'email'], ['jira', 'email']]);
    expect(people[1].accounts).toMatchObject([{ external_id: 'bob-jira', linked_by: 'none', email_verified: false }]);
  });

  it('filters by q and source_type, pages with a cursor, never shows another tenant', async () => {
    expect((await list(ACME, '?q=BOB@')).json().people.map((p: { display_name: string }) => p.display_name)).toEqual(['Bob']);
    expect((await list(ACME, '?source_type=github')).json().people.map((p: { display_name: string }) => p.display_name)).toEqual(['Ada']);
    const first = (await list(ACME, '?limit=1')).json();
    expect(first.people).toHaveLength(1);
    const second = (await list(ACME, `?limit=1&cursor=${encodeURIComponent(first.next_cursor)}`)).json();
    expect(second.people.map((p: { display_name: string }) => p.display_name)).toEqual(['Bob']);
    const globex = (await list(GLOBEX)).json().people;
    expect(globex).toHaveLength(1);
    expect(globex[0]).toMatchObject({ tenant_id: 'globex', accounts: [{ external_id: 'ada-gh' }] });
    expect((await list(GLOBEX, '?tenant_id=acme')).statusCode).toBe(403);
  });

  it.each(['?cursor=bm9wZQ', '?limit=0', '?source_type=trello', '?q=', '?foo=1'])('422 for %s', async (qs) => {
    const res = await list(ACME, qs);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
  });

  it('401 without an API key', async () => {
    expect((await app.inject('/api/people')).statusCode).toBe(401);
  });
});

describe('GET /api/people/{id} and PUT /api/people/{id}/links', () => {
  const personIds = async (key: string) => {
    const people = (await list(key)).json().people as { id: string; display_name: string }[];
    return Object.fromEntries(people.map((p) => [p.display_name, p.id]));
  };

  it('shows one person; another tenant\'s or a malformed id is PERSON_NOT_FOUND', async () => {
    const { Ada } = await personIds(ACME);
    const res = await app.inject({ url: `/api/people/${Ada}`, headers: auth(ACME) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: Ada, display_name: 'Ada', accounts: [{ external_id: 'ada-gh' }, { external_id: 'ada-jira' }] });
    for (const [key, id] of [[GLOBEX, Ada], [ACME, 'not-a-uuid'], [ACME, randomUUID()]] as const) {
      const miss = await app.inject({ url: `/api/people/${id}`, headers: auth(key) });
      expect(miss.statusCode).toBe(404);
      expect(miss.json().error_code).toBe('PERSON_NOT_FOUND');
    }
  });

  it('links and unlinks by hand: items show it at once, and a re-import undoes neither', async () => {
    const { Ada, Bob } = await personIds(ACME);
    const before = (await app.inject({ url: `/api/items/${jiraItem}`, headers: auth(ACME) })).json();
    expect(before.assignee).toMatchObject({ external_id: 'ada-jira', person_id: Ada });
    expect(before.reporter).toMatchObject({ external_id: 'bob-jira', person_id: Bob });

    // Bob's Jira account is Ada's; Ada's GitHub account is someone else.
    const res = await app.inject({ method: 'PUT', url: `/api/people/${Ada}/links`, headers: auth(ACME), payload: { accounts: [ref('jira', 'ada-jira'), ref('jira', 'bob-jira')] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().accounts.map((a: { external_id: string; linked_by: string }) => [a.external_id, a.linked_by])).toEqual([['ada-jira', 'manual'], ['bob-jira', 'manual']]);
    const after = (await app.inject({ url: `/api/items?source_type=jira`, headers: auth(ACME) })).json().items[0];
    expect(after.reporter).toMatchObject({ external_id: 'bob-jira', person_id: Ada });
    expect((await app.inject({ url: `/api/people/${Bob}`, headers: auth(ACME) })).statusCode).toBe(404);

    // A re-import of both sources, with Ada's GitHub address still verified, changes nothing.
    await store('acme', 'jira', 1, ada('ada-jira'), { external_id: 'bob-jira', name: 'Bob', email: 'bob@example.com', email_verified: false });
    await store('acme', 'github', 2, ada('ada-gh'));
    const person = (await app.inject({ url: `/api/people/${Ada}`, headers: auth(ACME) })).json();
    expect(person.accounts.map((a: { external_id: string }) => a.external_id)).toEqual(['ada-jira', 'bob-jira']);
    const gh = (await app.inject({ url: `/api/items?source_type=github`, headers: auth(ACME) })).json().items[0];
    expect(gh.assignee.person_id).not.toBe(Ada);
    expect((await list(ACME, '?source_type=github')).json().people[0].accounts).toMatchObject([{ external_id: 'ada-gh', linked_by: 'manual' }]);
  });

  it('422 for an account this tenant does not have, naming it; 404 for another tenant\'s person; the body is checked', async () => {
    // (Ada's GitHub account, unlinked above, is a person named Ada too)
    const Ada = (await list(ACME, '?source_type=jira')).json().people[0].id;
    const res = await app.inject({
      method: 'PUT', url: `/api/people/${Ada}/links`, headers: auth(ACME),
      payload: { accounts: [ref('jira', 'ada-jira'), ref('github', 'nobody')] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error_code: 'VALIDATION_ERROR', details: [{ path: '/accounts/1' }] });
    // Globex has an ada-gh account, but Acme's person cannot take it.
    const theirs = (await list(GLOBEX)).json().people[0].id;
    const cross = await app.inject({ method: 'PUT', url: `/api/people/${theirs}/links`, headers: auth(ACME), payload: { accounts: [ref('github', 'ada-gh')] } });
    expect(cross.statusCode).toBe(404);
    expect(cross.json().error_code).toBe('PERSON_NOT_FOUND');
    for (const payload of [{ accounts: [] }, { accounts: [{ ...ref('jira', 'x'), extra: 1 }] }, {}]) {
      const bad = await app.inject({ method: 'PUT', url: `/api/people/${Ada}/links`, headers: auth(ACME), payload });
      expect(bad.statusCode).toBe(422);
    }
    const unchanged = (await app.inject({ url: `/api/people/${Ada}`, headers: auth(ACME) })).json();
    expect(unchanged.accounts.map((a: { external_id: string }) => a.external_id)).toEqual(['ada-jira', 'bob-jira']);
  });
});
