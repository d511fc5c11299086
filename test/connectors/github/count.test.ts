import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { SourceError, SourceWaitError } from '../../../src/errors.js';
import { createSourceHttpFactory } from '../../../src/outbound/http.js';
import { resolveGithubConfig } from '../../../src/connectors/github/config.js';
import { GithubConnector } from '../../../src/connectors/github/connector.js';
import { testPolicy } from '../../support/policy.js';
import { closeFakes, connectorFor, drain, startFake } from './helpers.js';

afterEach(closeFakes);

const count = (c: ReturnType<typeof connectorFor>, since: Date | null = null) => c.count({ since, signal: new AbortController().signal });

describe('GitHub count() for dry runs', () => {
  it('counts issues without pull requests in two requests: the repository, then search', async () => {
    const fake = await startFake({ issues: 2500 });
    expect(await count(connectorFor(fake))).toBe(1667);
    expect(fake.requests.map((r) => r.target.split('?')[0])).toEqual(['/repos/octo-org/hello-world', '/search/issues']);
    expect(decodeURIComponent(fake.requests[1]!.target).replaceAll('+', ' ')).toContain('q=repo:octo-org/hello-world is:issue');
  });

  it('counts pull requests by a second query: search refuses one naming neither kind (422)', async () => {
    const fake = await startFake({ issues: 300 });
    expect(await count(connectorFor(fake, { include_pull_requests: true }))).toBe(300);
    const queries = fake.requests.filter((r) => r.target.startsWith('/search/')).map((r) => new URL(r.target, fake.origin).searchParams.get('q'));
    expect(queries).toEqual(['repo:octo-org/hello-world is:issue', 'repo:octo-org/hello-world is:pull-request']);
    expect(fake.requests.every((r) => r.status < 400)).toBe(true);
  });

  it('follows state and since', async () => {
    const fake = await startFake({ issues: 300 });
    expect(await count(connectorFor(fake, { state: 'closed' }))).toBe(50);
    const since = new Date(Date.now() - 1000);
    for (const n of [1, 2, 4, 5]) fake.data.edit(n, { title: 'changed' });
    expect(await count(connectorFor(fake), since)).toBe(4);
  });

  it('fails on a private repository without access, with the token hint', async () => {
    const fake = await startFake({ issues: 3, private: true });
    const err = await count(connectorFor(fake, { token: undefined })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'SOURCE_NOT_FOUND', message: expect.stringMatching(/token with access/) });
    expect(await count(connectorFor(fake))).toBe(2);
  });

  it('fails on a wrong token', async () => {
    const fake = await startFake({ issues: 3 });
    await expect(count(connectorFor(fake, { token: 'ghp_other' }))).rejects.toMatchObject({ code: 'SOURCE_AUTH_FAILED' });
  });

  it('a spent search budget makes the count unknown at once and never pauses the issue paging', async () => {
    const fake = await startFake({ issues: 30 });
    fake.inject({ kind: 'primary', match: /^\/search\//, resetInSec: 60 });
    const connector = connectorFor(fake);
    const started = Date.now();
    expect(await count(connector)).toBeNull();
    const drained = [];
    for await (const page of connector.pages({ cursor: null, since: null, batchSize: 100, includeComments: false, signal: new AbortController().signal })) {
      drained.push(...page.records);
    }
    expect(drained).toHaveLength(20);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a secondary limit on search does not lengthen the issue paging\'s next secondary wait', async () => {
    const fake = await startFake({ issues: 30 });
    fake.inject({ kind: 'secondary', match: /^\/search\// });
    fake.inject({ kind: 'secondary', match: /\/issues\?/ });
    const config = resolveGithubConfig({ base_url: fake.baseUrl, owner: fake.data.o.owner, repo: fake.data.o.repo, token: fake.token });
    // Waits over a second are handed back to the queue, so the length of the wait shows without sleeping it.
    // A first secondary wait is 7.5–15 min (within the 15 allowed), a second one 15–30 min (over: failed).
    const policy = testPolicy({ http: { handOffWaitMs: 1000 } });
    const http = createSourceHttpFactory({ allowPrivateNetworks: true, policy });
    const github = { ...policy.sources.github, secondaryBackoff: { baseMs: 15 * 60_000, maxMs: 60 * 60_000 } };
    const connector = new GithubConnector(config, { http, logger: pino({ level: 'silent' }), policy: { ...policy.sources, github } });
    expect(await count(connector)).toBeNull();
    // The first secondary limit of the paging is handed back, not the second (over the 15 minutes allowed: failed).
    const err = await drain(connector, { includeComments: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceWaitError);
    expect((err as SourceWaitError).resumeAt - Date.now()).toBeGreaterThan(7 * 60_000);
  });
});
