/** An instance whose paging does not advance (CONTRACT §7): the import fails with SOURCE_RESPONSE_INVALID naming it. */
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { connect, drain, startFake } from './helpers.js';

let fake: FakeServiceNow;
afterEach(async () => fake?.close());

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  expect((err as SourceError).code).toBe('SOURCE_RESPONSE_INVALID');
  return err as SourceError;
}

describe('ServiceNow paging that does not advance', () => {
  it('records: an instance ignoring the keyset terms serves the first page again and fails at the repeat', async () => {
    fake = await startFake({ ignoredQueryFields: { incident: ['sys_created_on'] } });
    seedIncidents(fake.data, { count: 250 });
    const err = await failure(drain(connect(fake), { batchSize: 100, includeComments: false }));
    expect(err.message).toBe("ServiceNow table 'incident': the keyset cursor did not advance (it repeats an earlier page's)");
    expect(fake.tableRequests('incident')).toHaveLength(2);
  });

  it('journal: a sys_journal_field scan serving the same page again fails at the repeat', async () => {
    fake = await startFake({ ignoredQueryFields: { sys_journal_field: ['sys_created_on'] } });
    seedIncidents(fake.data, { count: 10, journal: () => 101 }); // 1,010 entries: more than one journal page of 1,000
    const err = await failure(drain(connect(fake), { batchSize: 10 }));
    expect(err.message).toMatch(/^ServiceNow journal \(sys_journal_field\) of 10 records: the keyset cursor did not advance/);
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(2);
  });

  it('the fake really ignores the terms: without the fault both scans complete', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 10, journal: () => 101 });
    const { items } = await drain(connect(fake), { batchSize: 10 });
    expect(items).toHaveLength(10);
    expect(items.reduce((n, i) => n + i.comments.length, 0)).toBe(1010);
    expect(fake.tableRequests('sys_journal_field').filter((r) => r.query.get('sysparm_query')!.includes('sys_id>='))).toHaveLength(1);
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(2);
  });
});
