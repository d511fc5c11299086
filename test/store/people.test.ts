/** The people directory (issue 12 item 1) on PGlite and PostgreSQL: linking by verified email, manual links, tenants. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NormalizedItem, Person, SourceType } from '../../src/connectors/connector.js';
import type { BatchContext } from '../../src/items/types.js';
import { STORE_BACKENDS, sampleItem, withPostgresSchema, type TestStore } from '../support/store.js';

const ctx = (sourceType: SourceType, tenantId: string | null = 'acme', sourceInstance = `${sourceType}.example`): BatchContext => ({
  tenantId, sourceType, sourceInstance, jobId: randomUUID(), batchNo: 1,
});

/** An item naming `people` in every place an item names people. */
function itemWith(n: number, [assignee, reporter, commenter, actor, uploader]: (Person | null)[]): NormalizedItem {
  return sampleItem(n, {
    assignee: assignee ?? null,
    reporter: reporter ?? null,
    comments: commenter ? [{ external_id: `c${n}`, author: commenter, body: 'hi', created_at: null, internal: false }] : [],
    history: actor ? [{ at: null, actor, field: 'status', from: 'To Do', to: 'Done' }] : [],
    attachments: uploader
      ? [{ external_id: `a${n}`, name: 'a.txt', size: 1, media_type: 'text/plain', author: uploader, created_at: null, source_url: null, content: null }]
      : [],
  });
}

const ada = { external_id: 'ada-gh', name: 'Ada L.', email: 'Ada@Example.com', email_verified: true };
const adaJira = { external_id: '5b10ac8d82e05b22cc7d4ef5', name: 'Ada Lovelace', email: '  ada@example.COM ', email_verified: true };

describe.each(STORE_BACKENDS)('people on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => { t = await open(); }, 120_000);
  afterAll(() => t.cleanup());

  const personOf = async (tenant: string, sourceType: string, externalId: string): Promise<string | undefined> => {
    const { rows } = await t.db.query<{ person_id: string }>(
      'SELECT person_id::text AS person_id FROM person_accounts WHERE tenant_id = $1 AND source_type = $2 AND external_id = $3',
      [tenant, sourceType, externalId],
    );
    return rows[0]?.person_id;
  };

  test('the same human in GitHub and Jira with the same verified email is one person with two accounts; a re-import changes nothing', async () => {
    await t.store.upsertBatch(ctx('github'), [itemWith(1, [ada])], []);
    await t.store.upsertBatch(ctx('jira'), [itemWith(2, [null, adaJira])], []);
    const id = await personOf('acme', 'github', 'ada-gh');
    expect(id).toBeDefined();
    expect(await personOf('acme', 'jira', adaJira.external_id)).toBe(id);
    const person = await t.store.getPerson(id!, 'acme');
    expect(person).toMatchObject({ tenant_id: 'acme', display_name: 'Ada L.', primary_email: 'Ada@Example.com' });
    expect(person!.accounts.map((a) => [a.source_type, a.external_id, a.linked_by, a.email_verified])).toEqual([
      ['github', 'ada-gh', 'email', true], ['jira', adaJira.external_id, 'email', true],
    ]);

    await t.store.upsertBatch(ctx('jira'), [itemWith(2, [null, adaJira])], []);
    await t.store.upsertBatch(ctx('github'), [itemWith(1, [ada])], []);
    expect(await personOf('acme', 'jira', adaJira.external_id)).toBe(id);
    expect((await t.store.getPerson(id!, 'acme'))!.accounts).toHaveLength(2);
  });

  test('every place an item names a person is recorded; unverified or blank emails stay apart', async () => {
    const same = 'grace@example.com';
    const people = [
      { external_id: 'g1', name: 'Grace', email: same, email_verified: false },
      { external_id: 'g2', name: 'Grace H', email: same },
      { external_id: 'g3', name: 'G', email: ' ', email_verified: true },
      { external_id: 'g4', name: 'Grace Hopper', email: null, email_verified: true },
      { external_id: 'g5', name: null, email: same, email_verified: false },
    ];
    await t.store.upsertBatch(ctx('gitlab'), [itemWith(3, people)], []);
    const ids = await Promise.all(people.map((p) => personOf('acme', 'gitlab', p.external_id)));
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(5);
    const one = await t.store.getPerson(ids[0]!, 'acme');
    expect(one!.accounts).toMatchObject([{ external_id: 'g1', linked_by: 'none', email_verified: false }]);
  });

  test('an account without a verified email joins the person once it shows one; its own person goes', async () => {
    const lin = { external_id: 'lin', name: 'Lin', email: null };
    await t.store.upsertBatch(ctx('servicenow'), [itemWith(4, [lin])], []);
    const own = await personOf('acme', 'servicenow', 'lin');
    await t.store.upsertBatch(ctx('github'), [itemWith(5, [{ external_id: 'lin-gh', name: 'Lin', email: 'lin@example.com', email_verified: true }])], []);
    const target = await personOf('acme', 'github', 'lin-gh');
    expect(target).not.toBe(own);

    await t.store.upsertBatch(ctx('servicenow'), [itemWith(4, [{ ...lin, email: 'LIN@example.com', email_verified: true }])], []);
    expect(await personOf('acme', 'servicenow', 'lin')).toBe(target);
    expect(await t.store.getPerson(own!, 'acme')).toBeNull();
    // A later sighting without the address keeps both the link and the address.
    await t.store.upsertBatch(ctx('servicenow'), [itemWith(4, [lin])], []);
    const person = await t.store.getPerson(target!, 'acme');
    expect(person!.accounts.find((a) => a.external_id === 'lin')).toMatchObject({ email: 'LIN@example.com', email_verified: true, linked_by: 'email' });
  });

  test('an account whose verified email changes stays with its person, and its new address brings others to it', async () => {
    await t.store.upsertBatch(ctx('jira'), [itemWith(6, [{ external_id: 'mo', name: 'Mo', email: 'mo@old.example', email_verified: true }])], []);
    const mo = await personOf('acme', 'jira', 'mo');
    await t.store.upsertBatch(ctx('jira'), [itemWith(6, [{ external_id: 'mo', name: 'Mo', email: 'mo@new.example', email_verified: true }])], []);
    expect(await personOf('acme', 'jira', 'mo')).toBe(mo);
    await t.store.upsertBatch(ctx('gitlab'), [itemWith(7, [{ external_id: 'mo-gl', name: 'Mo', email: 'mo@new.example', email_verified: true }])], []);
    await t.store.upsertBatch(ctx('github'), [itemWith(8, [{ external_id: 'mo-gh', name: 'Mo', email: 'mo@old.example', email_verified: true }])], []);
    expect(await personOf('acme', 'gitlab', 'mo-gl')).toBe(mo);
    expect(await personOf('acme', 'github', 'mo-gh')).toBe(mo);
  });

  test('items show the person id beside each account, resolved at read time; the content hash ignores people', async () => {
    const kim = { external_id: 'kim', name: 'Kim', email: 'kim@example.com', email_verified: true };
    const stranger = { external_id: 'zed', name: 'Zed', email: null };
    const item = itemWith(9, [kim, stranger, kim, stranger, kim]);
    const [outcome] = await t.store.upsertBatch(ctx('github'), [item], []);
    const kimId = await personOf('acme', 'github', 'kim');
    const zedId = await personOf('acme', 'github', 'zed');
    const stored = await t.store.getItem(outcome!.item_id!, 'acme');
    expect(stored!.assignee).toEqual({ ...kim, person_id: kimId });
    expect(stored!.reporter).toMatchObject({ external_id: 'zed', person_id: zedId });
    expect(stored!.comments[0]!.author).toMatchObject({ person_id: kimId });
    expect(stored!.history[0]!.actor).toMatchObject({ person_id: zedId });
    expect(stored!.attachments[0]!.author).toMatchObject({ person_id: kimId });
    const listed = (await t.store.listItems({ tenantId: 'acme', source_type: 'github', limit: 100 })).items.find((i) => i.id === outcome!.item_id);
    expect(listed!.history[0]!.actor).toMatchObject({ person_id: zedId });

    // A manual link shows at once on the item, and the item is not rewritten by it.
    await t.store.setPersonLinks(kimId!, 'acme', [{ source_type: 'github', source_instance: 'github.example', external_id: 'kim' }, { source_type: 'github', source_instance: 'github.example', external_id: 'zed' }]);
    expect((await t.store.getItem(outcome!.item_id!, 'acme'))!.reporter).toMatchObject({ person_id: kimId });
    const [again] = await t.store.upsertBatch(ctx('github'), [item], []);
    expect(again!.action).toBe('unchanged');
  });

  test('manual link and unlink; a re-import undoes neither', async () => {
    const a = { external_id: 'pat-jira', name: 'Pat', email: 'pat@example.com', email_verified: true };
    const b = { external_id: 'pat-gh', name: 'patrick', email: 'p@users.noreply.example', email_verified: false };
    const c = { external_id: 'pat-gl', name: 'Pat', email: 'pat@example.com', email_verified: true };
    await t.store.upsertBatch(ctx('jira'), [itemWith(10, [a])], []);
    await t.store.upsertBatch(ctx('github'), [itemWith(11, [b])], []);
    await t.store.upsertBatch(ctx('gitlab'), [itemWith(12, [c])], []);
    const pat = (await personOf('acme', 'jira', 'pat-jira'))!;
    const patGh = (await personOf('acme', 'github', 'pat-gh'))!;
    expect(patGh).not.toBe(pat);
    const ref = (st: SourceType, id: string) => ({ source_type: st, source_instance: `${st}.example`, external_id: id });

    // link the GitHub account in, unlink the GitLab one
    const linked = await t.store.setPersonLinks(pat, 'acme', [ref('github', 'pat-gh'), ref('jira', 'pat-jira')]);
    expect(linked!.display_name).toBe('patrick');
    expect(linked!.accounts.map((x) => [x.external_id, x.linked_by])).toEqual([['pat-gh', 'manual'], ['pat-jira', 'manual']]);
    expect(await t.store.getPerson(patGh, 'acme')).toBeNull(); // emptied by the move
    const gl = (await personOf('acme', 'gitlab', 'pat-gl'))!;
    expect(gl).not.toBe(pat);
    expect((await t.store.getPerson(gl, 'acme'))!.accounts).toMatchObject([{ external_id: 'pat-gl', linked_by: 'manual' }]);

    for (const [st, item] of [['jira', itemWith(10, [a])], ['github', itemWith(11, [b])], ['gitlab', itemWith(12, [c])]] as const) {
      await t.store.upsertBatch(ctx(st), [item], []);
    }
    expect(await personOf('acme', 'github', 'pat-gh')).toBe(pat);
    expect(await personOf('acme', 'gitlab', 'pat-gl')).toBe(gl);
    // Pat's Jira account still shows the address, so it still routes to Pat.
    await t.store.upsertBatch(ctx('servicenow'), [itemWith(13, [{ ...a, external_id: 'pat-sn' }])], []);
    expect(await personOf('acme', 'servicenow', 'pat-sn')).toBe(pat);
  });

  test('unlinking the only account showing an address takes the address with it', async () => {
    const ref = (st: SourceType, id: string) => ({ source_type: st, source_instance: `${st}.example`, external_id: id });
    await t.store.upsertBatch(ctx('jira'), [itemWith(14, [{ external_id: 'ro', name: 'Ro', email: 'ro@example.com', email_verified: true }])], []);
    await t.store.upsertBatch(ctx('github'), [itemWith(15, [{ external_id: 'ro-gh', name: 'Ro', email: null }])], []);
    const ro = (await personOf('acme', 'jira', 'ro'))!;
    await t.store.setPersonLinks(ro, 'acme', [ref('github', 'ro-gh')]);
    const jiraRo = (await personOf('acme', 'jira', 'ro'))!;
    expect(jiraRo).not.toBe(ro);
    await t.store.upsertBatch(ctx('gitlab'), [itemWith(16, [{ external_id: 'ro-gl', name: 'Ro', email: 'ro@example.com', email_verified: true }])], []);
    expect(await personOf('acme', 'gitlab', 'ro-gl')).toBe(jiraRo);
  });

  test('an account moved in takes along the address its old person holds and no longer shows', async () => {
    const ref = (st: SourceType, id: string) => ({ source_type: st, source_instance: `${st}.example`, external_id: id });
    // Sam's person holds sam@ (from his Jira account) and a GitHub account without a verified address.
    await t.store.upsertBatch(ctx('jira'), [itemWith(21, [{ external_id: 'sam', name: 'Sam', email: 'sam@example.com', email_verified: true }])], []);
    await t.store.upsertBatch(ctx('jira'), [itemWith(22, [{ external_id: 'tess', name: 'Tess', email: 'tess@example.com', email_verified: true }])], []);
    const sam = (await personOf('acme', 'jira', 'sam'))!;
    const tess = (await personOf('acme', 'jira', 'tess'))!;
    await t.store.upsertBatch(ctx('github'), [itemWith(23, [{ external_id: 'sam-gh', name: 'Sam', email: null }])], []);
    await t.store.setPersonLinks(sam, 'acme', [ref('jira', 'sam'), ref('github', 'sam-gh')]);
    // The Jira account was Tess all along: moving it to her leaves Sam's person non-empty, and sam@ goes with it.
    await t.store.setPersonLinks(tess, 'acme', [ref('jira', 'tess'), ref('jira', 'sam')]);
    expect(await personOf('acme', 'github', 'sam-gh')).toBe(sam);
    await t.store.upsertBatch(ctx('gitlab'), [itemWith(24, [{ external_id: 'sam-gl', name: 'Sam', email: 'SAM@example.com', email_verified: true }])], []);
    expect(await personOf('acme', 'gitlab', 'sam-gl')).toBe(tess);
  });

  test('links refuse accounts of another tenant or none; another tenant\'s person is not found', async () => {
    await t.store.upsertBatch(ctx('github', 'other'), [itemWith(17, [{ ...ada }])], []);
    await t.store.upsertBatch(ctx('github', null), [itemWith(18, [{ ...ada }])], []);
    const theirs = (await personOf('other', 'github', 'ada-gh'))!;
    const ours = (await personOf('acme', 'github', 'ada-gh'))!;
    const none = (await personOf('', 'github', 'ada-gh'))!;
    expect(new Set([theirs, ours, none]).size).toBe(3);
    expect(await t.store.getPerson(theirs, 'acme')).toBeNull();
    expect(await t.store.setPersonLinks(theirs, 'acme', [])).toBeNull();
    expect((await t.store.getPerson(none, null))!.tenant_id).toBeNull();
    await expect(
      t.store.setPersonLinks(ours, 'acme', [
        { source_type: 'github', source_instance: 'github.example', external_id: 'ada-gh' },
        { source_type: 'github', source_instance: 'github.example', external_id: 'nobody' },
      ]),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: '/accounts/1' }] });
    const list = await t.store.listPeople({ tenantId: 'other', limit: 100 });
    expect(list.items.map((p) => p.id)).toEqual([theirs]);
  });

  test('the directory pages by name and filters by name/email substring and source', async () => {
    const tenant = `list-${randomUUID()}`;
    const names = ['delta', 'Alpha', 'charlie', 'bravo', 'echo'];
    await t.store.upsertBatch(ctx('gitlab', tenant), [itemWith(19, names.slice(0, 3).map((n) => ({ external_id: n, name: n, email: `${n}@corp.example`, email_verified: true })))], []);
    await t.store.upsertBatch(ctx('jira', tenant), [itemWith(20, names.slice(3).map((n) => ({ external_id: n, name: n, email: null })))], []);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await t.store.listPeople({ tenantId: tenant, limit: 2, ...(cursor && { cursor }) });
      seen.push(...res.items.map((p) => p.display_name!));
      if (!res.next_cursor) break;
      cursor = res.next_cursor;
    }
    expect(seen).toEqual(['Alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const byEmail = await t.store.listPeople({ tenantId: tenant, q: 'CHARLIE@corp', limit: 10 });
    expect(byEmail.items.map((p) => p.display_name)).toEqual(['charlie']);
    const jira = await t.store.listPeople({ tenantId: tenant, source_type: 'jira', limit: 10 });
    expect(jira.items.map((p) => p.display_name)).toEqual(['bravo', 'echo']);
    const pct = await t.store.listPeople({ tenantId: tenant, q: '%', limit: 10 });
    expect(pct.items).toEqual([]);
  });
});

describe('people under concurrent batches on PostgreSQL', () => {
  let t: TestStore;
  beforeAll(async () => { t = await withPostgresSchema(); }, 120_000);
  afterAll(() => t.cleanup());

  test('batches of four sources meeting the same new verified email at once make one person', async () => {
    const sources = ['jira', 'github', 'gitlab', 'servicenow'] as const;
    for (let round = 0; round < 8; round++) {
      const email = `new-${round}@race.example`;
      const loner = { external_id: `loner-${round}`, name: 'Loner', email: null };
      await Promise.all(
        sources.flatMap((st, i) => [
          t.store.upsertBatch(ctx(st, 'race'), [itemWith(100 + round * 10 + i, [{ external_id: `u-${round}`, name: 'Racer', email, email_verified: true }, loner])], []),
          t.store.upsertBatch(ctx(st, 'race'), [itemWith(200 + round * 10 + i, [loner, { external_id: `u-${round}`, name: 'Racer', email: email.toUpperCase(), email_verified: true }])], []),
        ]),
      );
      const { rows } = await t.db.query<{ source_type: string; person_id: string }>(
        `SELECT source_type, person_id::text AS person_id FROM person_accounts WHERE tenant_id = 'race' AND external_id = $1`,
        [`u-${round}`],
      );
      expect(rows).toHaveLength(4);
      expect(new Set(rows.map((r) => r.person_id)).size).toBe(1);
    }
    const { rows: persons } = await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM persons WHERE tenant_id = 'race'`);
    // one per round for the racer, one per round and source for the loner (an account of each source)
    expect(Number(persons[0]!.n)).toBe(8 + 8 * 4);
  });

  test('manual links made while batches of the same accounts are stored hold, and nothing fails', async () => {
    const ref = (st: SourceType, id: string) => ({ source_type: st, source_instance: `${st}.example`, external_id: id });
    const sources = ['jira', 'github', 'gitlab', 'servicenow'] as const;
    const sighting = (i: number) => ({ external_id: `m-${i}`, name: `M${i}`, email: `m${i % 2}@merge.example`, email_verified: true });
    const batch = (st: SourceType, n: number) => t.store.upsertBatch(ctx(st, 'merge'), [itemWith(n, [sighting(0), sighting(1), sighting(2), sighting(3)])], []);
    await Promise.all(sources.map((st, i) => batch(st, 300 + i)));
    const personOfAccount = async (st: string, id: string) => (await t.db.query<{ p: string }>(
      `SELECT person_id::text AS p FROM person_accounts WHERE tenant_id = 'merge' AND source_type = $1 AND external_id = $2`, [st, id])).rows[0]!.p;
    const even = await personOfAccount('jira', 'm-0');
    const odd = await personOfAccount('jira', 'm-1');
    expect(even).not.toBe(odd);
    // Merge everything into the even person, take Jira's m-2 out again, while batches keep coming.
    const all = sources.flatMap((st) => [0, 1, 2, 3].map((i) => ref(st, `m-${i}`)));
    await Promise.all([
      ...sources.map((st, i) => batch(st, 310 + i)),
      t.store.setPersonLinks(even, 'merge', all),
      ...sources.map((st, i) => batch(st, 320 + i)),
    ]);
    const taken = all.filter((r) => !(r.source_type === 'jira' && r.external_id === 'm-2'));
    await Promise.all([t.store.setPersonLinks(even, 'merge', taken), ...sources.map((st, i) => batch(st, 330 + i))]);
    await Promise.all(sources.map((st, i) => batch(st, 340 + i)));
    const { rows } = await t.db.query<{ person_id: string; linked_by: string; source_type: string; external_id: string }>(
      `SELECT person_id::text AS person_id, linked_by, source_type, external_id FROM person_accounts WHERE tenant_id = 'merge'`,
    );
    const out = rows.filter((r) => r.source_type === 'jira' && r.external_id === 'm-2');
    expect(out).toMatchObject([{ linked_by: 'manual' }]);
    expect(out[0]!.person_id).not.toBe(even);
    expect(rows.filter((r) => r !== out[0]).every((r) => r.person_id === even && r.linked_by === 'manual')).toBe(true);
    // The odd person was merged away; its address now routes to the even one.
    expect(await t.store.getPerson(odd, 'merge')).toBeNull();
    await t.store.upsertBatch(ctx('github', 'merge', 'ghe.example'), [itemWith(350, [sighting(1)])], []);
    expect((await t.db.query<{ p: string }>(
      `SELECT person_id::text AS p FROM person_accounts WHERE tenant_id = 'merge' AND source_instance = 'ghe.example'`)).rows[0]!.p).toBe(even);
  });

  test('a merge racing batches that bring new accounts of the merged person\'s address: nothing fails, no account is lost', async () => {
    const ref = (st: SourceType, id: string) => ({ source_type: st, source_instance: `${st}.example`, external_id: id });
    for (let round = 0; round < 6; round++) {
      const [a, b] = [`a${round}@race2.example`, `b${round}@race2.example`];
      await t.store.upsertBatch(ctx('jira', 'race2'), [itemWith(400 + round, [
        { external_id: `a-${round}`, name: 'A', email: a, email_verified: true },
        { external_id: `b-${round}`, name: 'B', email: b, email_verified: true },
      ])], []);
      const keep = (await t.db.query<{ p: string }>(`SELECT person_id::text AS p FROM person_accounts WHERE tenant_id = 'race2' AND external_id = $1`, [`a-${round}`])).rows[0]!.p;
      await Promise.all([
        ...(['github', 'gitlab', 'servicenow'] as const).map((st, i) =>
          t.store.upsertBatch(ctx(st, 'race2'), [itemWith(500 + round * 10 + i, [{ external_id: `nb-${round}-${i}`, name: 'B', email: b, email_verified: true }])], [])),
        t.store.setPersonLinks(keep, 'race2', [ref('jira', `a-${round}`), ref('jira', `b-${round}`)]),
      ]);
      const { rows } = await t.db.query<{ external_id: string; p: string }>(
        `SELECT external_id, person_id::text AS p FROM person_accounts WHERE tenant_id = 'race2' AND external_id LIKE $1`, [`nb-${round}-%`]);
      expect(rows).toHaveLength(3);
    }
  });
});
