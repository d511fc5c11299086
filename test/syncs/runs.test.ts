/**
 * How a sync counts its runs (in one process): an incremental run that stores changes without
 * moving the watermark is a failure; a completed run resets consecutive_failures; a run that
 * changed nothing is a success; settling twice counts once; a lost run is counted at the next start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { startHarness, type Harness } from '../support/harness.js';
import { until } from '../support/receiver.js';
import { testConnectors } from '../support/test-connector.js';
import type { ConnectorModule, NormalizedItem, SourceType } from '../../src/connectors/connector.js';
import type { Sync } from '../../src/syncs/types.js';
import type { SqlItemStore } from '../../src/store/work-items.js';

/** A source whose items change on demand; `stamp` is the updated_at it reports (a broken source keeps it still). */
const source = { revision: 0, stamp: '2024-03-01T00:00:00.000Z' };

function item(i: number): NormalizedItem {
  return {
    external_id: String(i), key: `W-${i}`, project: 'W', title: `Item ${i} rev ${source.revision}`, description: null, status: 'open',
    status_category: 'todo', priority: null, item_type: null, assignee: null, reporter: null, labels: [], url: null,
    parent_external_id: null, created_at: '2024-01-01T00:00:00.000Z', updated_at: source.stamp, closed_at: null, comments: [], raw: { i },
  };
}

const changing: ConnectorModule = {
  sourceType: 'github',
  configSchema: Type.Object({ base_url: Type.String(), scope: Type.String() }, { additionalProperties: true }),
  secretFields: ['token'],
  describe: (c) => ({ base_url: String(c.base_url), scope: String(c.scope), project: String(c.scope) }),
  create: () => ({
    count: async () => 3,
    // like a source that ignores `since`: every run gets every item
    async *pages() {
      yield { records: [item(1), item(2), item(3)], cursor: null, total: 3 };
    },
    normalize: (raw) => raw as NormalizedItem,
    identify: (raw) => ({ external_id: (raw as NormalizedItem).external_id, key: (raw as NormalizedItem).key }),
  }),
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ connectors: { ...testConnectors, github: changing } as Record<SourceType, ConnectorModule> });
});
afterAll(async () => h?.cleanup());

const BASE = 'http://test.local';
const sync = async (id: string): Promise<Sync> => (await h.deps.syncs.get(id, null, BASE))!;
const settled = (id: string, jobId: string) => async () => {
  const s = await sync(id);
  return s.last_job_id === jobId && ['completed', 'failed', 'cancelled'].includes(s.last_status ?? '');
};

async function runNow(id: string) {
  const job = await h.deps.syncs.runNow(id, null, 'req');
  await until(`run ${job.job_id} counted`, settled(id, job.job_id), 30_000);
  return { job: await h.deps.records.get(job.job_id), sync: await sync(id) };
}

describe('counting a sync\'s runs', () => {
  it('fails an incremental run whose watermark did not advance while items changed; a real advance resets the count', async () => {
    const created = await h.deps.syncs.create(
      { source_type: 'github', source_config: { base_url: 'https://source.example.com', scope: 'W' }, schedule: { every_seconds: 3600 } },
      { tenantId: null, webhookBase: BASE },
    );
    // the first tick is due at once: the full run
    await until('the full run counted', async () => (await sync(created.sync_id)).last_status === 'completed', 30_000);
    expect((await h.deps.queue.getJob((await sync(created.sync_id)).last_job_id!))?.data.options.mode).toBe('full');

    // items change, their updated_at does not: the position never moves
    source.revision = 1;
    const stuck = await runNow(created.sync_id);
    expect(stuck.job).toMatchObject({ status: 'completed', progress: { successful_items: 3 } });
    expect(stuck.sync).toMatchObject({ last_status: 'failed', consecutive_failures: 1 });
    expect(stuck.sync.last_error).toContain('watermark did not advance');
    source.revision = 2;
    expect((await runNow(created.sync_id)).sync).toMatchObject({ last_status: 'failed', consecutive_failures: 2 });

    // nothing changed (all unchanged): a success, not a stuck position
    const quiet = await runNow(created.sync_id);
    expect(quiet.job?.progress).toMatchObject({ successful_items: 0, skipped_items: 3 });
    expect(quiet.sync).toMatchObject({ last_status: 'completed', consecutive_failures: 0, last_error: null });

    // changes with a newer updated_at: the watermark passes the old one
    source.revision = 3;
    source.stamp = '2024-04-01T00:00:00.000Z';
    const moved = await runNow(created.sync_id);
    expect(moved.job?.progress.successful_items).toBe(3);
    expect(moved.sync).toMatchObject({ last_status: 'completed', consecutive_failures: 0 });

    // settling again changes nothing
    await h.deps.syncRuns.settle(created.sync_id, moved.job!.job_id);
    expect(await sync(created.sync_id)).toEqual(moved.sync);
  });

  it('counts a run whose end was never reported at the next start (a worker died in between)', async () => {
    const created = await h.deps.syncs.create(
      { source_type: 'jira', source_config: { base_url: 'https://source.example.com', scope: 'LOST', count: 2 }, schedule: { every_seconds: 3600 } },
      { tenantId: null, webhookBase: BASE },
    );
    await until('the full run counted', async () => (await sync(created.sync_id)).last_status === 'completed', 30_000);
    const lost = await h.deps.syncs.runNow(created.sync_id, null, 'req');
    // the record ends without the hook: as if the worker died right after the transition
    await until('the run ended', async () => ['completed', 'failed'].includes((await h.deps.records.get(lost.job_id))!.status), 30_000);
    const store = h.deps.syncStore;
    await until('the hook counted it', async () => (await store.get(created.sync_id, null))!.settled_job_id === lost.job_id);
    // undo what the hook did, then let the next start find the run uncounted
    await (h.deps.store as SqlItemStore).db.query('UPDATE syncs SET settled_job_id = NULL, last_status = $2 WHERE sync_id = $1', [created.sync_id, 'pending']);
    const next = await h.deps.syncs.runNow(created.sync_id, null, 'req');
    expect(next.job_id).not.toBe(lost.job_id);
    const after = (await store.get(created.sync_id, null))!;
    expect(after.settled_job_id).toBe(lost.job_id);
    expect(after.last_job_id).toBe(next.job_id);
    expect(after.last_mode).toBe('incremental');
    expect(after.consecutive_failures).toBe(0);
  });
});
