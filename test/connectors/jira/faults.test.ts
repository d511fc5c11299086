/** Vendor faults end to end: retried to an exact result, or mapped to the contract's error code. */
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { JiraFake, type JiraFault } from '../../../src/sandbox/fakes/jira.js';
import { countRequests, started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { generateIssues } from '../../../src/sandbox/fakes/jira-data.js';
import { connectorFor, drain, ids } from './support.js';

let fake: JiraFake;
afterEach(async () => fake.close());

async function start(): Promise<JiraFake> {
  fake = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 250, comments: (i) => (i % 10 === 0 ? 45 : 2) }) }));
  return fake;
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

function commentTotal(records: { fields: { comment?: { comments: unknown[] } } }[]): number {
  return records.reduce((n, r) => n + (r.fields.comment?.comments.length ?? 0), 0);
}

describe('Jira faults', () => {
  const expectedComments = (): number => fake.issues.reduce((n, i) => n + i.comments.length, 0);

  it.each<[string, JiraFault & { times: number }]>([
    ['429 with Retry-After on search', { kind: 'reply', match: /search\/jql$/, status: 429, headers: { 'retry-after': '1' }, times: 1 }],
    ['429 with X-RateLimit-Reset (ISO) on comments', { kind: 'reply', match: /comment(\?|$)/, status: 429, headers: { 'x-ratelimit-reset': new Date(Date.now() - 1000).toISOString().slice(0, 16) + 'Z' }, times: 2 }],
    ['500s on search and comments', { kind: 'reply', match: /search\/jql$|comment(\?|$)/, status: 500, body: '{"errorMessages":["Internal server error"],"errors":{}}', times: 4 }],
    ['503 without Retry-After', { kind: 'reply', match: /comment(\?|$)/, status: 503, times: 2 }],
    ['truncated bodies', { kind: 'truncate', match: /search\/jql$|comment(\?|$)/, times: 3 }],
  ])('%s: the import completes exactly', async (_name, fault) => {
    await start();
    await drain(connectorFor(fake));
    const clean = fake.requests.length;
    fake.requests.length = 0;
    fake.inject(fault);
    const out = await drain(connectorFor(fake));
    expect(ids(out.records)).toEqual(fake.issues.map((i) => String(i.id)));
    expect(commentTotal(out.records)).toBe(expectedComments());
    // Each faulted answer cost exactly one more request: nothing skipped, nothing fetched twice.
    expect(fake.requests.length).toBe(clean + fault.times);
  });

  it('a response slower than the timeout is retried and the import completes exactly', async () => {
    await start();
    fake.inject({ kind: 'slow', match: /search\/jql$/, delayMs: 2500, times: 1 });
    const out = await drain(connectorFor(fake, {}, { timeoutMs: 1000 }));
    expect(ids(out.records)).toHaveLength(250);
    expect(countRequests(fake, /search\/jql$/)).toBe(4);
  });

  it('persistent 500 → SOURCE_UNAVAILABLE after the retries', async () => {
    await start();
    fake.inject({ kind: 'status', status: 500, match: /search\/jql$/, times: Infinity });
    const err = await failure(drain(connectorFor(fake)));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(countRequests(fake, /search\/jql$/)).toBe(6);
  });

  it('a wait longer than allowed → SOURCE_RATE_LIMITED, without waiting', async () => {
    await start();
    fake.inject({ kind: 'rate-limited', retryAfterSec: 86400, match: /search\/jql$/, times: Infinity });
    expect((await failure(drain(connectorFor(fake)))).code).toBe('SOURCE_RATE_LIMITED');
  });

  it('wrong credentials → SOURCE_AUTH_FAILED, the token never in the message', async () => {
    await start();
    const err = await failure(drain(connectorFor(fake, { api_token: 'wrong-secret-token' })));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).not.toContain('wrong-secret-token');
    expect(err.message).not.toContain(Buffer.from('fred@example.com:wrong-secret-token').toString('base64'));
    const counted = await failure(connectorFor(fake, { api_token: 'wrong-secret-token' }).count({ since: null, signal: new AbortController().signal }));
    expect(counted.code).toBe('SOURCE_AUTH_FAILED');
  });

  it.each([
    ['a 400 "does not exist" for a private project', []],
    ['a 200 anonymous view of a public project', ['TEST']],
  ])('wrong credentials served as anonymous (%s) → SOURCE_AUTH_FAILED by X-Seraph-LoginReason', async (_name, visible) => {
    fake = await started(new JiraFake({ flavor: 'cloud', anonymousProjects: visible, issues: generateIssues({ count: 30 }) }));
    const connector = connectorFor(fake, { api_token: 'wrong-secret-token' });
    const err = await failure(drain(connector));
    expect(err.code).toBe('SOURCE_AUTH_FAILED');
    expect(err.message).toContain('AUTHENTICATED_FAILED');
    expect(err.message).not.toContain('wrong-secret-token');
    const counted = await failure(connector.count({ since: null, signal: new AbortController().signal }));
    expect(counted.code).toBe('SOURCE_AUTH_FAILED');
  });

  it('missing project → SOURCE_NOT_FOUND for pages and for the dry-run count', async () => {
    await start();
    const connector = connectorFor(fake, { project_key: 'NOPE' });
    const err = await failure(drain(connector));
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toContain("The value 'NOPE' does not exist for the field 'project'.");
    expect((await failure(connector.count({ since: null, signal: new AbortController().signal }))).code).toBe('SOURCE_NOT_FOUND');
  });

  it('a JQL Jira refuses → SOURCE_RESPONSE_INVALID with Jira\'s reason', async () => {
    await start();
    const err = await failure(drain(connectorFor(fake, { project_key: undefined, jql: 'nosuchfield = 1' })));
    expect(err.code).toBe('SOURCE_RESPONSE_INVALID');
    expect(err.message).toContain("Field 'nosuchfield' does not exist");
  });

  it('an issue deleted before its comments are read keeps its embedded comments', async () => {
    await start();
    fake.inject({ kind: 'reply', match: /\/issue\/10000\/comment(\?|$)/, status: 404, body: '{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}' });
    const out = await drain(connectorFor(fake));
    expect(out.records[0]!.fields.comment!.comments).toHaveLength(20);
    expect(out.records[10]!.fields.comment!.comments).toHaveLength(45);
  });
});
