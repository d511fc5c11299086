/**
 * CONTRACT §7 for GitLab: an issue list or a notes list that does not advance fails the walk
 * with SOURCE_RESPONSE_INVALID naming what did not advance, within a few requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GitLabFake, GitLabFakeOptions } from '../../../src/sandbox/fakes/gitlab.js';
import { collect, connectorFor, startFake } from './helpers.js';

let fake: GitLabFake;
afterEach(() => fake?.close());

async function seeded(n: number, opts: GitLabFakeOptions = {}): Promise<GitLabFake> {
  fake = await startFake(opts);
  fake.project.seed(n);
  return fake;
}

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const listRequests = (f: GitLabFake) => f.requests.filter((r) => r.path.endsWith('/issues'));
const notesRequests = (f: GitLabFake) => f.requests.filter((r) => r.path.endsWith('/notes'));

describe('GitLab paging that does not advance', () => {
  it.each(['supported', 'ignored'] as const)('an issue list serving its first page again (keyset %s) fails at once', async (keyset) => {
    const f = await seeded(450, { keyset, totalsThreshold: 100 }); // no totals: nothing planned ahead
    f.inject({ kind: 'loop' });
    const err = await failure(collect(connectorFor(f).connector, { includeComments: false }));
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringMatching(/GitLab issues of acme\/platform\/api: the next link did not advance/) });
    expect(listRequests(f).length).toBeLessThanOrEqual(3);
  });

  it('notes pages that never end fail the job, naming the issue', async () => {
    fake = await startFake();
    fake.project.seed(20, { userNotes: (i) => (i === 5 ? 150 : i % 4) }); // #5's notes take two pages
    fake.inject({ kind: 'loop', match: /\/issues\/5\/notes/ });
    const err = await failure(collect(connectorFor(fake).connector));
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringMatching(/GitLab notes of issue #5: .*not advance/) });
    expect(notesRequests(fake).filter((r) => r.path.includes('/issues/5/')).length).toBeLessThanOrEqual(3);
  });
});
