import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RecentAccounts } from '../../src/store/people/recent.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const ctx = (tenantId = 't') => ({ tenantId, sourceType: 'github' as const, sourceInstance: 'gh.example', jobId: randomUUID(), batchNo: 1 });
const ada = { external_id: '7', name: 'Ada', email: 'ada@example.com', key: 'ada@example.com' };

describe('RecentAccounts', () => {
  test('an account shown the same way within the TTL is skipped; anything new, another tenant or an expired entry is not', () => {
    let now = 0;
    const recent = new RecentAccounts(1_000, 100, () => now);
    expect(recent.unrecorded(ctx(), [ada])).toEqual([ada]);
    recent.recorded(ctx(), [ada]);
    expect(recent.unrecorded(ctx(), [ada])).toEqual([]);
    expect(recent.unrecorded(ctx(), [{ ...ada, name: 'Ada L.' }])).toHaveLength(1);
    expect(recent.unrecorded(ctx(), [{ ...ada, key: null }])).toHaveLength(1);
    expect(recent.unrecorded(ctx('other'), [ada])).toHaveLength(1);
    now = 1_001;
    expect(recent.unrecorded(ctx(), [ada])).toEqual([ada]);
  });

  test('holds at most `max` entries, dropping the oldest recorded', () => {
    const recent = new RecentAccounts(60_000, 2);
    const acct = (id: string) => ({ ...ada, external_id: id });
    recent.recorded(ctx(), [acct('1'), acct('2')]);
    recent.recorded(ctx(), [acct('3')]);
    expect(recent.unrecorded(ctx(), [acct('1'), acct('2'), acct('3')]).map((a) => a.external_id)).toEqual(['1']);
  });
});

describe.each(STORE_BACKENDS)('people sightings on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => { t = await open(); }, 120_000);
  afterAll(() => t.cleanup());

  test('a batch naming only accounts just recorded writes nothing to the directory; a changed name is written at once', async () => {
    const person = { external_id: '42', name: 'Grace', email: 'grace@example.com', email_verified: true };
    await t.store.upsertBatch(ctx(), [sampleItem(1, { assignee: person })], []);
    const first = (await t.store.listPeople({ tenantId: 't', limit: 10 })).items[0]!;
    const seenAt = first.accounts[0]!.last_seen_at;
    await new Promise((r) => setTimeout(r, 20));
    await t.store.upsertBatch(ctx(), [sampleItem(2, { reporter: person })], []);
    expect((await t.store.getPerson(first.id, 't'))!.accounts[0]!.last_seen_at).toBe(seenAt);
    await t.store.upsertBatch(ctx(), [sampleItem(3, { reporter: { ...person, name: 'Grace H.' } })], []);
    const after = (await t.store.getPerson(first.id, 't'))!.accounts[0]!;
    expect(after.name).toBe('Grace H.');
    expect(after.last_seen_at > seenAt).toBe(true);
  });
});
