import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import type { GitLabFake, GitLabFakeOptions } from '../../../src/sandbox/fakes/gitlab.js';
import { collect, connectorFor, iids, range, startFake as startAnyFake } from './helpers.js';

/** These cases are about the REST path (list, then notes per issue): the server has no GraphQL. */
const startFake = (opts: GitLabFakeOptions = {}) => startAnyFake({ graphql: 'absent', ...opts });

let fake: GitLabFake;
afterEach(() => fake?.close());

async function seeded(n: number): Promise<GitLabFake> {
  fake = await startFake();
  fake.project.seed(n);
  return fake;
}

async function expectCompleteRun(f: GitLabFake): Promise<void> {
  const { connector } = connectorFor(f);
  const run = await collect(connector);
  expect(iids(run.records)).toEqual(range(1, f.project.issues.length));
  for (const record of run.records) {
    const ids = connector.normalize(record).comments.map((c) => String(c.external_id));
    expect(ids).toEqual(f.project.userNotes(record.iid).map((n) => String(n.id)));
  }
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

const retryLater = { kind: 'rate-limited', retryAfterSec: 1 } as const;

describe('GitLab faults', () => {
  it('a 429 with the plain-text `Retry later` body is waited out, on the list and on notes', async () => {
    const f = await seeded(150);
    f.inject({ ...retryLater, match: /\/issues\?.*pagination=keyset/ });
    f.inject({ ...retryLater, match: /\/issues\/7\/notes/ });
    await expectCompleteRun(f);
    expect(f.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it('500s, a truncated body and a slow answer on the way: still every issue and comment once', async () => {
    const f = await seeded(250);
    f.inject({ kind: 'status', status: 500, times: 3, match: /cursor=/ });
    f.inject({ kind: 'reply', status: 502, times: 2, match: /\/notes/ });
    f.inject({ kind: 'truncate', match: /\/issues\?.*cursor=/ });
    f.inject({ kind: 'truncate', match: /\/issues\/9\/notes/ });
    f.inject({ kind: 'slow', delayMs: 300, match: /\/issues\/10\/notes/ });
    await expectCompleteRun(f);
    expect(f.requests.filter((r) => r.status >= 500)).toHaveLength(5);
  });

  it('a persistent 500 ends as SOURCE_UNAVAILABLE', async () => {
    const f = await seeded(10);
    f.inject({ kind: 'status', status: 500, times: Infinity });
    const err = await failure(collect(connectorFor(f).connector));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(f.requests.length).toBeGreaterThanOrEqual(6);
  });

  it('a wrong token is SOURCE_AUTH_FAILED, for count and pages, and the token is never echoed', async () => {
    const f = await seeded(5);
    const { connector } = connectorFor(f, { token: 'glpat-wrong-secret-value' });
    const fromCount = await failure(connector.count({ since: null, signal: new AbortController().signal }));
    const fromPages = await failure(collect(connector));
    for (const err of [fromCount, fromPages]) {
      expect(err.code).toBe('SOURCE_AUTH_FAILED');
      expect(err.message).not.toContain('glpat-wrong-secret-value');
    }
  });

  it('a missing project is SOURCE_NOT_FOUND', async () => {
    const f = await seeded(5);
    const { connector } = connectorFor(f, { project_id: 'acme/platform/gone' });
    const err = await failure(connector.count({ since: null, signal: new AbortController().signal }));
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toContain('acme/platform/gone');
    expect((await failure(collect(connector))).code).toBe('SOURCE_NOT_FOUND');
  });

  it('an issue deleted between the list and its notes keeps its place without comments', async () => {
    const f = await seeded(30);
    f.inject({ kind: 'reply', status: 404, body: '{"message":"404 Not found"}', match: /\/issues\/5\/notes/ });
    const { connector } = connectorFor(f);
    const run = await collect(connector);
    expect(iids(run.records)).toEqual(range(1, 30));
    expect(connector.normalize(run.records[4]).comments).toEqual([]);
  });

  it('keeps within the RateLimit-Remaining budget: no 429 while the headers count down', async () => {
    fake = await startFake({ rateLimit: { limit: 25, windowMs: 1000 } });
    fake.project.seed(60);
    await expectCompleteRun(fake);
    expect(fake.throttled).toBe(0);
    expect(fake.requests.length).toBeGreaterThan(25);
  });
});
