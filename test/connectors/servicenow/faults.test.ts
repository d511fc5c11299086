/** Failures of the ServiceNow source: faults that must be ridden out, and errors that must end the import with the right code. */
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { incidentNumber, seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { connect, drain, keys, PASSWORD, startFake, TOKEN, USER } from './helpers.js';

let fake: FakeServiceNow;
afterEach(async () => fake?.close());

const all = (n: number): string[] => Array.from({ length: n }, (_, i) => incidentNumber(i)).sort();

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('ServiceNow faults', () => {
  it('completes exactly through 429 (Retry-After), 500s, a truncated body, a reset and a slow answer', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 250, journal: () => 2 });
    fake.inject({ kind: 'rate-limited', retryAfterSec: 1, when: (r) => r.table === 'incident' && r.query.get('sysparm_offset') === '0' && fake.tableRequests('incident').length === 2 });
    fake.inject({ kind: 'status', status: 500, times: 2, when: (r) => r.table === 'sys_journal_field' });
    fake.inject({ kind: 'truncate', when: (r) => r.table === 'incident' && fake.tableRequests('incident').length === 4 });
    fake.inject({ kind: 'reset', when: (r) => r.table === 'sys_journal_field' });
    fake.inject({ kind: 'slow', delayMs: 200, when: (r) => r.table === 'incident' });
    const { items } = await drain(connect(fake, {}, { timeoutMs: 2000 }), { batchSize: 100 });
    expect(keys(items)).toEqual(all(250));
    expect(items.every((i) => i.comments.length === 2)).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual(expect.arrayContaining([429, 500, 0]));
  });

  it('waits as Retry-After says before retrying a 429', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 10 });
    fake.inject({ kind: 'rate-limited', retryAfterSec: 1 });
    await drain(connect(fake));
    const [limited, retried] = fake.tableRequests('incident');
    expect(limited!.status).toBe(429);
    expect(retried!.status).toBe(200);
    // 429, its one retry, the journal (beside them: the dictionary read and the attachment list, each once)
    expect(fake.requests.filter((r) => r.table === 'incident' || r.table === 'sys_journal_field')).toHaveLength(3);
    expect(fake.requests).toHaveLength(3 + 3 + 1);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(990); // Retry-After: 1 (a lower bound, not a speed test)
  });

  it('fails with SOURCE_RATE_LIMITED when X-RateLimit-Reset is beyond the longest allowed wait', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 10 });
    fake.inject({ kind: 'limit-reset', resetAt: Math.ceil(Date.now() / 1000) + 3600 });
    const err = await failure(drain(connect(fake)));
    expect(err.code).toBe('SOURCE_RATE_LIMITED');
  });

  it('persistent 500 → SOURCE_UNAVAILABLE after the retries', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 10 });
    fake.inject({ kind: 'status', status: 500, times: 1000 });
    const err = await failure(drain(connect(fake)));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(fake.requests.length).toBeGreaterThanOrEqual(6);
  });

  it('an HTML page instead of JSON (hibernating instance) → SOURCE_RESPONSE_INVALID', async () => {
    fake = await startFake();
    fake.inject({ kind: 'hibernating' });
    const err = await failure(drain(connect(fake)));
    expect(err.code).toBe('SOURCE_RESPONSE_INVALID');
  });

  it('wrong credentials → SOURCE_AUTH_FAILED without the password in the message', async () => {
    fake = await startFake({ users: { [USER]: 'another-password' } });
    const err = await failure(drain(connect(fake)));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).not.toContain(PASSWORD);
    expect((await failure(connect(fake, { access_token: 'wrong' }).count({ since: null, signal: new AbortController().signal }))).code).toBe('SOURCE_AUTH_FAILED');
  });

  it('an account requiring MFA is explained', async () => {
    fake = await startFake({ mfaUsers: [USER] });
    const err = await failure(drain(connect(fake)));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).toMatch(/multi-factor/);
  });

  it('OAuth bearer token works', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 3 });
    const { items } = await drain(connect(fake, { access_token: TOKEN }));
    expect(items).toHaveLength(3);
    expect(fake.requests.every((r) => r.auth === 'bearer')).toBe(true);
  });

  it('unknown table ("Invalid table" 400) → SOURCE_NOT_FOUND, for count() and pages()', async () => {
    fake = await startFake();
    const c = connect(fake, { table: 'incidnt' });
    expect((await failure(c.count({ since: null, signal: new AbortController().signal }))).code).toBe('SOURCE_NOT_FOUND');
    const err = await failure(drain(c));
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toContain('Invalid table incidnt');
  });

  it('no read access to sys_journal_field → SOURCE_AUTH_FAILED naming the journal', async () => {
    fake = await startFake({ forbiddenTables: ['sys_journal_field'] });
    seedIncidents(fake.data, { count: 3 });
    const err = await failure(drain(connect(fake)));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).toMatch(/sys_journal_field.*include_comments=false/);
  });

  it('abort stops paging: rejects with the reason and sends nothing more', async () => {
    fake = await startFake({ latencyMs: 20 });
    seedIncidents(fake.data, { count: 500 });
    const ac = new AbortController();
    const reason = new Error('cancelled by user');
    const err = await drain(connect(fake), { batchSize: 50, signal: ac.signal }, (_p, n) => {
      if (n === 1) ac.abort(reason);
    }).then(() => null, (e: unknown) => e);
    expect(err).toBe(reason);
    const sent = fake.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.length).toBe(sent);
    expect(fake.tableRequests('incident').length).toBeLessThanOrEqual(3); // two pages + at most the prefetch in flight
  });
});
