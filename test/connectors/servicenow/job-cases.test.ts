/**
 * ServiceNow job-level cases that servicenow/import.test.ts and the conformance suite leave out:
 * 0 / one page / one page + 1, 2,500 incidents with every journal entry, transient faults
 * survived with exact counts. Through the jobs core against the fake; retries back off in
 * milliseconds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { servicenowModule } from '../../../src/connectors/servicenow/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import type { WorkItem } from '../../../src/store/types.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow, SnRequest } from '../../../src/sandbox/fakes/servicenow.js';
import { PASSWORD, startFake, USER } from './helpers.js';

let h: Harness;
let fake: FakeServiceNow;
beforeAll(async () => {
  h = await startSourceHarness([servicenowModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(async () => fake?.close());

const ctx = { tenantId: null, requestId: 'req-sn-gaps', correlationId: null, idempotencyKey: null };
const run = async (config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) => {
  const { job } = await h.deps.jobs.create({
    source_type: 'servicenow',
    source_config: { base_url: fake.baseUrl, username: USER, password: PASSWORD, ...config },
    options: { batch_size: 20, ...options },
  }, ctx);
  return h.waitFor(job.job_id, undefined, 40_000);
};

async function stored(): Promise<WorkItem[]> {
  const page = await h.deps.store.listItems({ tenantId: null, limit: 10_000, source_type: 'servicenow' });
  return page.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
}
const journalOf = (sysId: string) => fake.data.rows('sys_journal_field').filter((j) => j.element_id === sysId).map((j) => j.sys_id).sort();
const scans = () => fake.tableRequests('incident').filter((r) => r.query.get('sysparm_fields') !== 'sys_id');

describe('ServiceNow import jobs: sizes, 2,500 incidents, error codes, faults', () => {
  it.each([
    { n: 0, batches: 1, pages: 1 },
    { n: 20, batches: 1, pages: 1 },
    { n: 21, batches: 2, pages: 2 },
  ])('$n incidents with batch size 20: exact counts in $batches batch(es)', async ({ n, batches, pages }) => {
    fake = await startFake();
    seedIncidents(fake.data, { count: n, journal: (i) => i % 3 });
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: n, processed_items: n, successful_items: n, failed_items: 0, skipped_items: 0, current_batch: batches });
    const items = await stored();
    expect(items.map((i) => i.external_id).sort()).toEqual(fake.data.rows('incident').map((r) => r.sys_id).sort());
    expect(items.reduce((c, i) => c + i.comments.length, 0)).toBe(fake.data.rows('sys_journal_field').length);
    expect(scans()).toHaveLength(pages);
  });

  it('2,500 incidents: each stored once with every comment and work note', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 2500, journal: (i) => i % 4 });
    const done = await run({}, { batch_size: 100 });
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 2500, processed_items: 2500, successful_items: 2500, failed_items: 0, current_batch: 25 });
    const items = await stored();
    expect(items.map((i) => i.external_id).sort()).toEqual(fake.data.rows('incident').map((r) => r.sys_id).sort());
    for (const item of items) expect(item.comments.map((c) => c.external_id).sort()).toEqual(journalOf(item.external_id));
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(25);
  }, 60_000);

  it('429 with Retry-After, a 500, a truncated body, a reset and a slow answer mid-import: completes with exact counts', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 130, journal: (i) => i % 3 });
    const page = (r: SnRequest) => r.table === 'incident' && Number(r.query.get('sysparm_limit')) > 1;
    fake.inject({ kind: 'rate-limited', retryAfterSec: 1, when: page });
    fake.inject({ kind: 'status', status: 500, when: (r) => r.table === 'sys_journal_field' });
    fake.inject({ kind: 'truncate', when: page });
    fake.inject({ kind: 'reset', when: (r) => r.table === 'sys_journal_field' });
    fake.inject({ kind: 'slow', delayMs: 300, when: page });
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 130, processed_items: 130, successful_items: 130, failed_items: 0 });
    const items = await stored();
    expect(items).toHaveLength(130);
    for (const item of items) expect(item.comments.map((c) => c.external_id).sort()).toEqual(journalOf(item.external_id));
    expect(fake.requests.filter((r) => r.status === 429 || r.status === 500)).toHaveLength(2);
  });
});
