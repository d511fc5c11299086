/**
 * The request budget of a ServiceNow import with and without history (BENCHMARKS.md, "Depth of data
 * (issue #12)"): 500 incidents with comments, work notes, field changes and attachments, pages of
 * 100, every request the fake answered counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { connect, drain, startFake } from './helpers.js';

let fake: FakeServiceNow;
afterEach(async () => fake?.close());

const N = 500;

async function measure(includeHistory: boolean, batchSize: number): Promise<{ requests: number; perItem: number; history: number }> {
  fake.requests.length = 0;
  const { items } = await drain(connect(fake), { batchSize, includeHistory });
  expect(items).toHaveLength(N);
  expect(items.every((i) => i.completeness!.comments.state === 'complete' && i.completeness!.attachments.state === 'complete')).toBe(true);
  return { requests: fake.requests.length, perItem: fake.requests.length / N, history: items.reduce((n, i) => n + i.history!.length, 0) };
}

describe('ServiceNow requests per item', () => {
  it('500 incidents: 4 requests per page of 100 with history, 3 without, plus 3 per job for the dictionary', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: N, journal: (i) => i % 4, history: (i) => i % 7, attachments: (i) => i % 3 });
    const withHistory = await measure(true, 100);
    const without = await measure(false, 100);
    const largeWithout = await measure(false, 1000);
    const large = await measure(true, 1000);
    console.log(`ServiceNow ${N} incidents, pages of 100: ${withHistory.requests} requests with history (${withHistory.perItem.toFixed(3)}/item, ${withHistory.history} changes), ${without.requests} without (${without.perItem.toFixed(3)}/item); pages of 1000: ${large.requests} with history (${large.perItem.toFixed(3)}/item), ${largeWithout.requests} without`);
    expect(withHistory).toMatchObject({ requests: 5 * 4 + 3, history: Array.from({ length: N }, (_, i) => i % 7).reduce((a, b) => a + b, 0) });
    expect(without).toMatchObject({ requests: 5 * 3 + 3, history: 0 });
    expect(fake.tableRequests('sys_audit')).toHaveLength(5); // the last run: pages of 1000, ids in chunks of 100
    expect(large.requests).toBe(1 + 5 * 3 + 3);
    expect(largeWithout.requests).toBe(1 + 5 * 2 + 3);
  }, 60_000);
});
