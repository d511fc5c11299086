/**
 * GitHub and GitLab normalizers under random and hostile records. Bodies are Markdown already
 * and pass through untouched; what must hold is that any record gives an item or an Error with
 * a short message (the item then fails alone), and that 1 MB of anything costs linear time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueNumberFromUrl, normalizeGithub } from '../../src/connectors/github/normalize.js';
import { normalizeGitLab } from '../../src/connectors/gitlab/normalize.js';
import { cpuMs, repeatTo } from './convert-cases.js';
import { MS_PER_MB } from './convert-arbitraries.js';

const loose = fc.oneof(fc.anything({ maxDepth: 2 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.constant(null));
const user = fc.oneof(fc.record({ id: fc.oneof(fc.integer(), loose), login: loose, name: loose, username: loose }), loose);
const githubRecord = fc.record({
  issue: fc.oneof(
    fc.record({ id: fc.oneof(fc.integer(), loose), number: fc.oneof(fc.nat(), loose), title: fc.oneof(fc.string(), loose), body: loose, state: fc.oneof(fc.constantFrom('open', 'closed'), loose), state_reason: loose, user, assignees: fc.oneof(fc.array(user, { maxLength: 2 }), fc.constant(null)), labels: fc.array(fc.oneof(fc.string(), fc.record({ name: loose })), { maxLength: 3 }), created_at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), loose) }, { requiredKeys: [] }),
    loose,
  ),
  comments: fc.array(fc.record({ id: fc.integer(), body: loose, user, created_at: loose, issue_url: fc.string() }), { maxLength: 3 }),
  parent_external_id: fc.oneof(fc.string(), fc.constant(null)),
});
const gitlabRecord = fc.oneof(
  fc.record({ id: fc.oneof(fc.integer(), fc.string(), loose), iid: fc.oneof(fc.nat(), loose), title: loose, description: loose, state: fc.oneof(fc.constantFrom('opened', 'closed'), loose), severity: loose, author: user, labels: fc.array(fc.string(), { maxLength: 3 }), notes: fc.oneof(fc.array(fc.record({ id: fc.integer(), body: loose, system: fc.boolean(), author: user }), { maxLength: 3 }), loose), updated_at: loose }, { requiredKeys: [] }),
  loose,
);

/** An item, or an Error with a short message: never anything else, never a hang. */
function itemOrShortError(normalize: () => unknown): void {
  try {
    const item = normalize() as { external_id: unknown; comments: unknown };
    expect(typeof item.external_id).toBe('string');
    expect(Array.isArray(item.comments)).toBe(true);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.length).toBeLessThan(300);
  }
}

describe('GitHub and GitLab normalizers: properties', () => {
  it('any GitHub record: an item or a short Error', () => {
    fc.assert(fc.property(githubRecord, (r) => itemOrShortError(() => normalizeGithub(r, 'o/r'))), { numRuns: 300 });
  });

  it('any GitLab record: an item or a short Error', () => {
    fc.assert(fc.property(gitlabRecord, (r) => itemOrShortError(() => normalizeGitLab(r, 'g/p'))), { numRuns: 300 });
  });

  it('a body comes through unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (body) => {
        expect(normalizeGithub({ issue: { id: 1, number: 1, title: 't', body, state: 'open' }, comments: [], parent_external_id: null }, 'o/r').description).toBe(body);
        expect(normalizeGitLab({ id: 1, iid: 1, title: 't', description: body, state: 'opened' }, 'g/p').description).toBe(body);
      }),
    );
  });

  it.each(['<p', '\n', '/issues/1', '*', '`'])('1 MB hostile titles, bodies, URLs and dates of %j normalize well under a second', (token) => {
    const big = repeatTo(token, 1_000_000);
    const comments = Array.from({ length: 1000 }, (_, i) => ({ id: 1000 - i, body: big.slice(0, 1000), issue_url: big.slice(0, 1000) }));
    const ms = cpuMs(() => {
      expect(issueNumberFromUrl(`${big}x`)).toBeNull();
      normalizeGithub({ issue: { id: 1, number: 1, title: big, body: big, state: 'open', html_url: big }, comments, parent_external_id: null }, 'o/r');
      normalizeGitLab({ id: 1, iid: 1, title: big, description: big, state: 'opened', notes: comments }, 'g/p');
      expect(() => normalizeGitLab({ id: 1, iid: 1, state: 'opened', created_at: big }, 'g/p')).toThrow(/timestamp/);
    });
    expect(ms).toBeLessThan(MS_PER_MB);
  });
});
