/**
 * A ServiceNow import whose history read is capped (a small `sources.servicenow.historyRowsPerChunk`)
 * through the jobs core: the job completes, counts its partial items, lists them by
 * `completeness=partial`, and each names what is missing; the complete ones are not listed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { servicenowModule } from '../../../src/connectors/servicenow/index.js';
import type { ConnectorModule, SourceType } from '../../../src/connectors/connector.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { testConnectors } from '../../support/test-connector.js';
import { testPolicy, TEST_POLICY } from '../../support/policy.js';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { PASSWORD, startFake, USER } from './helpers.js';

let h: Harness;
let fake: FakeServiceNow;
beforeAll(async () => {
  h = await startHarness({
    connectors: { ...testConnectors, servicenow: servicenowModule } as unknown as Record<SourceType, ConnectorModule>,
    env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' },
    policy: testPolicy({ sources: { ...TEST_POLICY.sources, servicenow: { ...TEST_POLICY.sources.servicenow, historyRowsPerChunk: 100 } } }),
  });
});
afterAll(async () => h?.cleanup());
afterEach(async () => fake?.close());

const ctx = { tenantId: null, requestId: 'req-sn-partial', correlationId: null, idempotencyKey: null };

describe('ServiceNow import with capped history', () => {
  it('completes, counts the partial items and lists exactly those, each with its reason', async () => {
    fake = await startFake();
    // 20 records with 12 changes each: 240 rows, 100 read per chunk; the first 5 have none and stay complete
    seedIncidents(fake.data, { count: 25, perSecond: 1, history: (i) => (i < 5 ? 0 : 12) });
    const { job } = await h.deps.jobs.create({
      source_type: 'servicenow',
      source_config: { base_url: fake.baseUrl, username: USER, password: PASSWORD },
      options: { batch_size: 100 },
    }, ctx);
    const done = await h.waitFor(job.job_id);
    expect(done).toMatchObject({ status: 'completed', progress: { successful_items: 25 } });
    const stored = (await h.deps.store.listItems({ tenantId: null, limit: 100, source_type: 'servicenow' })).items
      .filter((i) => i.source_instance === new URL(fake.baseUrl).host);
    const partial = stored.filter((i) => i.completeness?.history.state === 'partial');
    expect(partial.length).toBeGreaterThan(0);
    expect(done.progress.partial_items).toBe(partial.length);
    for (const item of partial) {
      expect(item.completeness!.history).toMatchObject({ total: 12, fetched: item.history.length });
      expect(item.completeness!.history.reason).toBe(`ServiceNow has 12 sys_audit rows for this record, ${item.history.length} read: reading stopped at 100 sys_audit rows per 100 records (policy cap)`);
    }
    expect(stored.reduce((n, i) => n + i.history.length, 0)).toBe(100);
    const listed = await h.deps.store.jobItems(job.job_id, { completeness: 'partial', limit: 100 });
    expect(listed.items.map((i) => i.external_id).sort()).toEqual(partial.map((i) => i.external_id).sort());
    expect(fake.apiRequests('stats')).toHaveLength(1);
  });
});
