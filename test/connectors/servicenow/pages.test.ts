/** The ServiceNow connector's paging against the fake instance: counts, journals, ACLs, changing data. */
import { afterEach, describe, expect, it } from 'vitest';
import { incidentNumber, seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import { sysId } from '../../../src/sandbox/fakes/servicenow-data.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { connect, drain, keys, startFake } from './helpers.js';

let fake: FakeServiceNow;
afterEach(async () => fake?.close());

const expectedKeys = (n: number, skip: (i: number) => boolean = () => false): string[] =>
  Array.from({ length: n }, (_, i) => i).filter((i) => !skip(i)).map(incidentNumber).sort();

describe('ServiceNow pages()', () => {
  it('0 items: one empty last page', async () => {
    fake = await startFake();
    const { pages, items } = await drain(connect(fake));
    expect(items).toEqual([]);
    expect(pages).toEqual([{ records: [], cursor: null, total: 0 }]);
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(0);
  });

  it('exactly one page: one records request and one journal request', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 100, journal: () => 2 });
    const { pages, items } = await drain(connect(fake), { batchSize: 100 });
    expect(pages).toHaveLength(1);
    expect(pages[0]!.cursor).toBeNull();
    expect(keys(items)).toEqual(expectedKeys(100));
    expect(fake.tableRequests('incident')).toHaveLength(1);
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(1);
  });

  it('one page + 1: a second page with the last item', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 101 });
    const { pages, items } = await drain(connect(fake), { batchSize: 100 });
    expect(pages.map((p) => p.records.length)).toEqual([100, 1]);
    expect(pages.map((p) => p.total)).toEqual([101, 101]);
    expect(keys(items)).toEqual(expectedKeys(101));
  });

  it('2,500 items with comments and work notes: every item once, every journal entry, one journal request per page', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 2500, journal: (i) => i % 4 });
    const { pages, items } = await drain(connect(fake), { batchSize: 100 });
    expect(items).toHaveLength(2500);
    expect(new Set(items.map((i) => i.external_id)).size).toBe(2500);
    expect(keys(items)).toEqual(expectedKeys(2500));
    for (const item of items) {
      const i = Number(item.key.slice(3)) - 10001;
      expect(item.comments).toHaveLength(i % 4);
      expect(item.comments.map((c) => c.internal)).toEqual(Array.from({ length: i % 4 }, (_, j) => j % 2 === 1));
    }
    expect(items.find((i) => i.key === incidentNumber(3))!.comments[2]!.body).toBe('See **log** of run 2 for 3');
    expect(pages).toHaveLength(25);
    expect(fake.tableRequests('incident')).toHaveLength(25);
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(25);
    expect(pages.every((p, n) => p.total === 2500 && (n === 24) === (p.cursor === null))).toBe(true);
  });

  it('unicode, a 1 MB HTML description and empty references', async () => {
    fake = await startFake();
    const big = `<p>${'Ünïcødé 山田 😀 <b>bold</b> '.repeat(40_000)}</p>`;
    expect(big.length).toBeGreaterThan(1_000_000);
    seedIncidents(fake.data, { count: 10, description: (i) => (i === 1 ? big : `Zoë reports: ${i} → ✓`) });
    const { items } = await drain(connect(fake));
    const byKey = new Map(items.map((i) => [i.key, i]));
    expect(byKey.get(incidentNumber(2))!.description).toBe('Zoë reports: 2 → ✓');
    const md = byKey.get(incidentNumber(1))!.description!;
    expect(md.split('Ünïcødé 山田 😀 **bold**')).toHaveLength(40_001);
    expect(md).not.toContain('<b>');
    const unassigned = byKey.get(incidentNumber(5))!;
    expect(unassigned.assignee).toBeNull();
    expect(byKey.get(incidentNumber(5))!.reporter?.name).toBe('Abel Tuter');
    expect(byKey.get(incidentNumber(3))!.assignee?.name).toBe('山田 太郎');
    // dates are the stored UTC values, not the user-time-zone display values
    expect(byKey.get(incidentNumber(0))!.created_at).toBe('2024-01-01T00:00:00Z');
  });

  it('short and empty pages caused by ACLs do not end the import', async () => {
    // rows 150..399 hidden (more than two whole pages) plus every 7th row
    const hiddenIndex = (i: number): boolean => (i >= 150 && i < 400) || i % 7 === 0;
    const hiddenIds = new Set(Array.from({ length: 1000 }, (_, i) => i).filter(hiddenIndex).map((i) => sysId(`incident-${i}`)));
    fake = await startFake({ hidden: (table, row) => table === 'incident' && hiddenIds.has(row.sys_id!) });
    seedIncidents(fake.data, { count: 1000, journal: () => 1 });
    const { pages, items } = await drain(connect(fake), { batchSize: 100 });
    expect(keys(items)).toEqual(expectedKeys(1000, hiddenIndex));
    expect(pages.some((p) => p.records.length === 0 && p.cursor !== null)).toBe(true);
    expect(pages.at(-1)!.cursor).toBeNull();
    expect(items.every((i) => i.comments.length === 1)).toBe(true);
  });

  it('without X-Total-Count the Link header alone tells the end, ACL gaps included', async () => {
    const hiddenIds = new Set(Array.from({ length: 120 }, (_, i) => sysId(`incident-${i + 40}`)));
    fake = await startFake({ omitTotalCount: true, hidden: (t, row) => t === 'incident' && hiddenIds.has(row.sys_id!) });
    seedIncidents(fake.data, { count: 230 });
    const { pages, items } = await drain(connect(fake), { batchSize: 50 });
    expect(keys(items)).toEqual(expectedKeys(230, (i) => i >= 40 && i < 160));
    expect(pages.slice(0, -1).every((p) => p.total === null)).toBe(true);
    expect(pages.at(-1)!.total).toBe(110); // known at the end: what was delivered
  });

  it('Table API v1 answers an empty query with 404 "No Record found": that is an empty page, not a missing table', async () => {
    fake = await startFake({ defaultVersion: 'v1' });
    expect((await drain(connect(fake))).items).toEqual([]);
    seedIncidents(fake.data, { count: 100 });
    const { items } = await drain(connect(fake), { batchSize: 50 });
    expect(keys(items)).toEqual(expectedKeys(100));
    expect(fake.requests.some((r) => r.status === 404)).toBe(true);
  });

  it('records updated or inserted during the import are neither skipped nor repeated', async () => {
    let changed = false;
    fake = await startFake({
      onRequest: (req, f) => {
        if (changed || req.table !== 'incident' || f.tableRequests('incident').length !== 3) return;
        changed = true;
        // before the third page: change rows already read and rows not yet read, add new ones
        for (const i of [5, 50, 150, 250, 299]) f.data.update('incident', sysId(`incident-${i}`), { short_description: `changed ${i}` });
        for (let n = 0; n < 3; n++) f.data.insert('incident', { sys_id: sysId(`new-${n}`), number: `INC9${n}`, short_description: 'new' });
      },
    });
    seedIncidents(fake.data, { count: 300 });
    const { items } = await drain(connect(fake), { batchSize: 50 });
    expect(keys(items)).toEqual([...expectedKeys(300), 'INC90', 'INC91', 'INC92'].sort());
    expect(new Set(items.map((i) => i.external_id)).size).toBe(303);
    expect(items.find((i) => i.key === incidentNumber(250))!.title).toBe('changed 250');
  });

  it('resumes from a cursor after the last completed page without refetching finished pages', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 350, journal: () => 1 });
    const first = await drain(connect(fake), { batchSize: 100 });
    const cursor = first.pages[1]!.cursor;
    const before = fake.requests.length;
    const resumed = await drain(connect(fake), { batchSize: 100, cursor });
    const requests = fake.requests.slice(before);
    expect(resumed.pages).toHaveLength(2);
    expect(keys(resumed.items)).toEqual(keys(first.items.slice(200)));
    expect(requests.filter((r) => r.table === 'incident')).toHaveLength(2);
    expect(requests.filter((r) => r.table === 'sys_journal_field')).toHaveLength(2);
    expect(requests[0]!.query.get('sysparm_query')).toContain('sys_id>');
    expect(resumed.pages.map((p) => p.total)).toEqual([350, 350]);
  });

  it('incremental: only rows updated since the given time, via sys_updated_on>=', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 200 });
    for (let i = 0; i < 10; i++) fake.data.update('incident', sysId(`incident-${i * 17}`), { state: '2' });
    const since = new Date(Date.UTC(2025, 0, 1));
    const { items } = await drain(connect(fake), { since });
    expect(keys(items)).toEqual(Array.from({ length: 10 }, (_, i) => incidentNumber(i * 17)).sort());
    expect(fake.tableRequests('incident')[0]!.query.get('sysparm_query')).toContain('sys_updated_on>=2025-01-01 00:00:00');
  });

  it('applies the configured query (with ^NQ and its own ORDERBY) and table', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 60 });
    const { items } = await drain(connect(fake, { query: 'priority=1^NQcategory=network^ORDERBYDESCnumber' }), { batchSize: 7 });
    const expected = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 5 === 0 || i % 5 === 2);
    expect(keys(items)).toEqual(expected.map(incidentNumber).sort());
  });

  it('skips the journal when comments are not wanted', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 30, journal: () => 3 });
    const { items } = await drain(connect(fake), { includeComments: false });
    expect(items.every((i) => i.comments.length === 0)).toBe(true);
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(0);
  });

  it('count() reads X-Total-Count with one small request', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 42 });
    const c = connect(fake, { query: 'active=true' });
    expect(await c.count({ since: null, signal: new AbortController().signal })).toBe(28);
    expect(fake.requests).toHaveLength(1);
    expect(Object.fromEntries(fake.requests[0]!.query)).toMatchObject({ sysparm_limit: '1', sysparm_query: 'active=true' });
  });
});
