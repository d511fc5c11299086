/**
 * ServiceNow's Link header repeats the request's encoded query in each of its URLs (first, next,
 * last): for a journal request naming 100 sys_ids that is over 20 KB of headers, past undici's
 * default limit of 16 KiB. The outbound layer must accept it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { connect, drain, startFake } from './helpers.js';

let fake: FakeServiceNow;
afterEach(async () => fake?.close());

describe('ServiceNow responses with long Link headers', () => {
  it('imports 100 incidents with 21 journal entries each', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 100, journal: () => 21 });
    const { items } = await drain(connect(fake), { batchSize: 100 });
    expect(items).toHaveLength(100);
    expect(items.reduce((n, i) => n + i.comments.length, 0)).toBe(2100);
  });
});
