/**
 * CONTRACT §7 for GitLab: an issue list or a notes list that does not advance fails the walk
 * with SOURCE_RESPONSE_INVALID naming what did not advance, within a few requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GitLabFake, GitLabFakeOptions } from '../../fakes/gitlab.js';
import { collect, connectorFor, startFake } from './helpers.js';

let fake: GitLabFake;
afterEach(() => fake?.stop());

async function seeded(n: number, opts: GitLabFakeOptions = {}): Promise<GitLabFake> {
  fake = await startFake(opts);
  fake.project.seed(n);
  return fake;
}

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const listRequests = (f: GitLabFake) => f.requests.filter((r) => r.path.endsWith('/issues'));
const notesRequests = (f: GitLabFake) => f.requests.filter((r) => r.path.endsWith('/notes'));

describe('GitLab paging that does not advance', () => {
  it('a keyset link that repeats fails at once', async () => {
    const f = await seeded(450);
    f.fail({ loop: true, match: /\/issues\?.*cursor=/, times: Infinity });
    const err = await failure(collect(connectorFor(f).connector, { includeComments: false }));
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringMatching(/GitLab issues of acme\/platform\/api: the next link did not advance/) });
    expect(listRequests(f).length).toBeLessThanOrEqual(3);
  });

  it('an offset server that ignores the page number fails after three pages of issues already seen', async () => {
    const f = await seeded(450, { keyset: 'ignored', totalsThreshold: 100 }); // no totals, so no planned pages
    f.fail({ endless: true, match: /\/issues\?/, times: Infinity });
    const err = await failure(collect(connectorFor(f).connector, { includeComments: false }));
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringMatching(/GitLab issues of acme\/platform\/api: 3 pages in a row brought no new record/) });
    expect(listRequests(f).length).toBeLessThanOrEqual(6);
  });

  it('notes pages that never end fail the job, naming the issue', async () => {
    const f = await seeded(20);
    f.fail({ endless: true, match: /\/notes\?/, times: Infinity });
    const err = await failure(collect(connectorFor(f).connector));
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: expect.stringMatching(/GitLab notes of issue #\d+: /) });
    const withComments = f.project.issues.filter((i) => i.user_notes_count > 0).length;
    expect(notesRequests(f).length).toBeLessThanOrEqual(withComments * 5);
  });

  it('a notes link that repeats fails at once', async () => {
    const f = await seeded(5, { totalsThreshold: 0 });
    f.fail({ loop: true, match: /\/issues\/3\/notes/, times: Infinity });
    const err = await failure(collect(connectorFor(f).connector));
    expect(err).toMatchObject({ code: 'SOURCE_RESPONSE_INVALID', message: 'GitLab notes of issue #3: the next link did not advance (it repeats an earlier page\'s)' });
    expect(notesRequests(f).filter((r) => r.path.includes('/issues/3/')).length).toBe(1);
  });
});
