import { afterEach, describe, expect, it } from 'vitest';
import type { GitLabFake, GitLabFakeOptions } from '../../../src/sandbox/fakes/gitlab.js';
import { collect, connectorFor, iids, range, startFake as startAnyFake } from './helpers.js';

/** These cases are about the REST path (list, then notes per issue): the server has no GraphQL. */
const startFake = (opts: GitLabFakeOptions = {}) => startAnyFake({ graphql: 'absent', ...opts });
import { countRequests } from '../../../src/sandbox/fakes/vendor-fake.js';

let fake: GitLabFake;
afterEach(() => fake?.close());

async function seeded(n: number, opts: GitLabFakeOptions = {}): Promise<GitLabFake> {
  fake = await startFake(opts);
  fake.project.seed(n);
  return fake;
}

const listRequests = (f: GitLabFake) => f.requests.filter((r) => r.path.endsWith('/issues'));

describe('GitLab paging', () => {
  it('0 issues: one empty last page, total 0', async () => {
    const { connector } = connectorFor(await seeded(0));
    const run = await collect(connector);
    expect(run.pages).toEqual([{ records: [], cursor: null, total: 0 }]);
    expect(await connector.count({ since: null, signal: new AbortController().signal })).toBe(0);
  });

  it('exactly one page, and one page + 1, on keyset and on offset servers', async () => {
    for (const keyset of ['supported', 'ignored'] as const) {
      const { connector } = connectorFor(await seeded(100, { keyset }));
      const one = await collect(connector);
      expect(one.pages.map((p) => p.records.length)).toEqual([100]);
      expect(iids(one.records)).toEqual(range(1, 100));
      expect(one.pages[0]!.total).toBe(keyset === 'ignored' ? 100 : null);
      await fake.close();

      const { connector: c2 } = connectorFor(await seeded(101, { keyset }));
      const two = await collect(c2);
      expect(two.pages.map((p) => p.records.length)).toEqual([100, 1]);
      expect(two.pages.at(-1)!.cursor).toBeNull();
      expect(iids(two.records)).toEqual(range(1, 101));
      await fake.close();
    }
  });

  it('2,500 issues with notes: each once, comments complete and without system notes', async () => {
    const f = await seeded(2500);
    const { connector } = connectorFor(f);
    const run = await collect(connector);
    expect(run.records).toHaveLength(2500);
    expect(new Set(iids(run.records)).size).toBe(2500);
    let comments = 0;
    for (const record of run.records) {
      const item = connector.normalize(record);
      const expected = f.project.userNotes(record.iid).map((n) => String(n.id));
      expect(item.comments.map((c) => c.external_id)).toEqual(expected);
      comments += item.comments.length;
      const system = (item.raw as { system_notes?: { system: boolean }[] }).system_notes;
      if (expected.length > 0) expect(system!.length).toBeGreaterThan(0);
    }
    expect(comments).toBe(f.project.issues.reduce((s, i) => s + i.user_notes_count, 0));
    // no notes request for an issue without user notes
    const withComments = f.project.issues.filter((i) => i.user_notes_count > 0).length;
    expect(countRequests(f, /\/notes/)).toBe(withComments);
    // keyset answers carry no totals; count() gives them
    expect(run.pages.every((p) => p.total === null)).toBe(true);
    expect(await connector.count({ since: null, signal: new AbortController().signal })).toBe(2500);
  });

  it('offset server with totals: pages 2..N fetched in parallel, handed out in order', async () => {
    const f = await seeded(950, { keyset: 'ignored', latencyMs: 20 });
    const run = await collect(connectorFor(f).connector, { includeComments: false });
    expect(iids(run.records)).toEqual(range(1, 950));
    const pagesAsked = listRequests(f).map((r) => r.query.get('page'));
    expect(pagesAsked.filter((p) => p !== null).sort()).toEqual(['10', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(run.pages.map((p) => JSON.parse(p.cursor ?? 'null')?.page ?? null)).toEqual([...range(1, 9), null]);
  });

  it('offset server without totals (over the threshold): follows next links to the end', async () => {
    const f = await seeded(250, { keyset: 'ignored', totalsThreshold: 50 });
    const { connector } = connectorFor(f);
    const run = await collect(connector, { batchSize: 60, includeComments: false });
    expect(run.pages.map((p) => p.records.length)).toEqual([60, 60, 60, 60, 10]);
    expect(iids(run.records)).toEqual(range(1, 250));
    expect(run.pages[0]!.total).toBeNull();
  });

  it('counts over the totals threshold with issues_statistics, by state and since', async () => {
    const f = await seeded(250, { keyset: 'ignored', totalsThreshold: 50 });
    const count = (config: Record<string, unknown>, since: Date | null = null) =>
      connectorFor(f, config).connector.count({ since, signal: new AbortController().signal });
    expect(await count({})).toBe(250);
    expect(await count({ state: 'closed' })).toBe(83);
    expect(await count({ state: 'opened' })).toBe(167);
    const since = new Date(Date.now() - 1000);
    for (const iid of range(1, 60)) f.project.update(iid);
    expect(await count({}, since)).toBe(60);
    expect(f.requests.filter((r) => r.path.endsWith('/issues_statistics'))).toHaveLength(4);
    expect(countRequests(f, /issues_statistics\?updated_after=/)).toBe(1);
  });

  it.each([
    ['refused', 405],
    ['refused-501', 501],
  ] as const)('a server refusing keyset (%s) is read with offset paging', async (keyset, status) => {
    const f = await seeded(130, { keyset });
    const run = await collect(connectorFor(f).connector, { includeComments: false });
    expect(iids(run.records)).toEqual(range(1, 130));
    expect(f.requests.filter((r) => r.status === status)).toHaveLength(1);
    expect(f.requests).toHaveLength(3);
  });

  it('resumes after the last completed page without refetching it', async () => {
    for (const keyset of ['supported', 'ignored'] as const) {
      const f = await seeded(450, { keyset });
      const first = await collect(connectorFor(f).connector, { maxPages: 2 });
      const cursor = first.pages[1]!.cursor;
      const before = f.requests.length;
      const rest = await collect(connectorFor(f).connector, { cursor });
      expect([...iids(first.records), ...iids(rest.records)]).toEqual(range(1, 450));
      const resumed = f.requests.slice(before).filter((r) => r.path.endsWith('/issues') && r.query.get('per_page') !== '1');
      expect(resumed.some((r) => r.query.get('page') === '2' || r.query.get('page') === '1')).toBe(false);
      const notesOfDone = f.requests.slice(before).filter((r) => /\/issues\/(\d+)\/notes/.test(r.path) && Number(/issues\/(\d+)\/notes/.exec(r.path)![1]) <= 200);
      expect(notesOfDone).toHaveLength(0);
      await f.close();
    }
  });

  it('keyset paging misses nothing while issues are deleted and created mid-import', async () => {
    const f = await seeded(300);
    const { connector } = connectorFor(f);
    const seen: number[] = [];
    for await (const page of connector.pages({ cursor: null, since: null, batchSize: 50, includeComments: false, signal: new AbortController().signal })) {
      seen.push(...(page.records as { iid: number }[]).map((r) => r.iid));
      if (seen.length === 50) {
        f.project.remove(3);
        f.project.remove(4);
        f.project.seed(1, { start: new Date() }); // #301, created now
      }
    }
    expect(seen.filter((i) => i > 50)).toEqual(range(51, 301));
  });

  it('aborting stops paging and no request follows', async () => {
    const f = await seeded(600, { latencyMs: 15 });
    const ac = new AbortController();
    const { connector } = connectorFor(f);
    const pages = connector.pages({ cursor: null, since: null, batchSize: 100, includeComments: true, signal: ac.signal });
    const it = pages[Symbol.asyncIterator]();
    await it.next();
    ac.abort(new Error('cancelled by test'));
    await expect(it.next()).rejects.toThrow('cancelled by test');
    const after = f.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(f.requests.length).toBe(after);
    expect(f.requests.length).toBeLessThan(600);
  });

  it('incremental: only issues updated after `since`, order stable', async () => {
    const f = await seeded(400);
    const since = new Date(Date.now() - 1000);
    const changed = [7, 50, 99, 100, 101, 222, 300, 301, 350, 399];
    for (const iid of changed) f.project.update(iid, { title: `changed ${iid}` });
    const { connector } = connectorFor(f);
    const run = await collect(connector, { since });
    expect(iids(run.records)).toEqual(changed);
    expect(f.requests.find((r) => r.query.get('pagination') === 'keyset')!.query.get('updated_after')).toBe(since.toISOString());
    expect(await connector.count({ since, signal: new AbortController().signal })).toBe(10);
  });

  it('numeric project id, and state filter', async () => {
    const f = await seeded(60);
    const run = await collect(connectorFor(f, { project_id: 42, state: 'closed' }).connector);
    expect(run.records.map((r) => r.state)).toEqual(Array(20).fill('closed'));
    // GraphQL, tried first, looks the project up by its path (one read of the project); the REST reads use the id
    expect(f.requests.every((r) => r.path === '/api/graphql' || r.path.startsWith('/api/v4/projects/42'))).toBe(true);
  });
});
