/**
 * ServiceNow end to end through the jobs core (real Redis, PGlite store, BullMQ worker) against
 * the fake instance: exact counts, re-import skipped, incremental touching only changed
 * incidents, dry run. Cancel, resume and the error codes are the conformance suite's
 * (test/conformance).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { servicenowModule } from '../../../src/connectors/servicenow/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import { startSourceHarness, type Harness } from '../../support/harness.js';
import { sysId } from '../../../src/sandbox/fakes/servicenow-data.js';
import { incidentNumber, seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { PASSWORD, startFake, USER } from './helpers.js';

let h: Harness;
let fake: FakeServiceNow;
beforeAll(async () => {
  h = await startSourceHarness([servicenowModule as unknown as ConnectorModule]);
});
afterAll(async () => h?.cleanup());
afterEach(async () => fake?.close());

const ctx = { tenantId: null, requestId: 'req-sn', correlationId: null, idempotencyKey: null };
const create = async (config: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  (await h.deps.jobs.create({
    source_type: 'servicenow',
    source_config: { base_url: fake.baseUrl, username: USER, password: PASSWORD, ...config },
    options: { batch_size: 100, ...options },
  }, ctx)).job;

describe('ServiceNow import jobs', () => {
  it('imports every incident once with its journal, then re-imports as skipped', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 250, journal: (i) => i % 3 });
    const job = await create();
    expect(job.source).toEqual({ base_url: fake.baseUrl, scope: 'incident' });
    const done = await h.waitFor(job.job_id);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ total_items: 250, processed_items: 250, successful_items: 250, failed_items: 0, percentage: 100 });
    expect(JSON.stringify(done)).not.toContain(PASSWORD);
    const stored = await h.deps.store.listItems({ tenantId: null, limit: 1000, source_type: 'servicenow' });
    const mine = stored.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
    expect(mine).toHaveLength(250);
    expect(mine.reduce((n, i) => n + i.comments.length, 0)).toBe(Array.from({ length: 250 }, (_, i) => i % 3).reduce((a, b) => a + b, 0));

    const again = await h.waitFor((await create()).job_id);
    expect(again.progress).toMatchObject({ processed_items: 250, skipped_items: 250, successful_items: 0 });
  });

  it('incremental after changing 10 incidents updates only those', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 120, perSecond: 0.1 }); // sys_updated_on 10 s apart: the overlap holds ~30
    await h.waitFor((await create()).job_id);
    const changed = Array.from({ length: 10 }, (_, i) => i * 11);
    for (const i of changed) fake.data.update('incident', sysId(`incident-${i}`), { state: '2', short_description: `edited ${i}` });
    const done = await h.waitFor((await create({}, { mode: 'incremental' })).job_id);
    expect(done.status).toBe('completed');
    expect(done.progress.successful_items).toBe(10);
    expect(done.progress.skipped_items).toBe(done.progress.total_items - 10);
    expect(done.progress.total_items).toBeLessThan(50);
    const updated = done.imported_items.filter((i) => i.action === 'updated').map((i) => i.key).sort();
    expect(updated).toEqual(changed.map(incidentNumber).sort());
    expect(fake.tableRequests('incident').at(-1)!.query.get('sysparm_query')).toContain('sys_updated_on>=');
  });

  it('carries history, attachments and custom fields, complete, with the field map applied (defaults and the job\'s own)', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 120, journal: (i) => i % 2, history: (i) => i % 5, attachments: (i) => i % 3 });
    const done = await h.waitFor((await create({}, { field_map: { story_points: 'Story Points' } })).job_id);
    expect(done).toMatchObject({ status: 'completed', progress: { successful_items: 120, partial_items: 0 } });
    const stored = await h.deps.store.listItems({ tenantId: null, limit: 1000, source_type: 'servicenow' });
    const mine = stored.items.filter((i) => i.source_instance === new URL(fake.baseUrl).host);
    expect(mine).toHaveLength(120);
    expect(mine.reduce((n, i) => n + i.history.length, 0)).toBe(Array.from({ length: 120 }, (_, i) => i % 5).reduce((a, b) => a + b, 0));
    expect(mine.reduce((n, i) => n + i.attachments.length, 0)).toBe(fake.data.rows('sys_attachment').length);
    for (const item of mine) {
      expect(item.completeness).toMatchObject({ comments: { state: 'complete' }, history: { state: 'complete' }, attachments: { state: 'complete' } });
    }
    const first = mine.find((i) => i.key === incidentNumber(0))!;
    // severity from impact and due_date from due_date by the connector's defaults; story points by the job's map (a display name)
    expect(first.fields).toEqual({ story_points: 1, due_date: '2024-01-04', sprint: null, severity: '1 - High' });
    expect(first.custom_fields.find((f) => f.id === 'u_customer_tier')).toEqual({ id: 'u_customer_tier', name: 'Customer Tier', type: 'option', value: 'Gold' });
  });

  it('dry run counts through X-Total-Count and stores nothing', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 77 });
    const done = await h.waitFor((await create({ query: 'active=true' }, { dry_run: true })).job_id);
    expect(done).toMatchObject({ status: 'completed', source: { scope: 'incident^active=true' } });
    expect(done.progress.total_items).toBe(52);
    // one probe: the import would need the journal, so the dry run checks it can be read
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(1);
  });

  it('dry run fails when the journal cannot be read, unless comments are not wanted', async () => {
    fake = await startFake({ forbiddenTables: ['sys_journal_field'] });
    seedIncidents(fake.data, { count: 5 });
    const refused = await h.waitFor((await create({}, { dry_run: true })).job_id);
    expect(refused).toMatchObject({ status: 'failed', error_code: 'SOURCE_AUTH_FAILED' });
    expect(refused.error_message).toMatch(/sys_journal_field.*include_comments=false/);
    const without = await h.waitFor((await create({}, { dry_run: true, include_comments: false })).job_id);
    expect(without).toMatchObject({ status: 'completed', progress: { total_items: 5 } });
  });
});
