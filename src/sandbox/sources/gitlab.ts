/**
 * The sandbox's GitLab: one project of generated issues with comments and system notes, served
 * by the GitLab fake (fakes/gitlab.ts, built from GitLab's API docs) behind an authenticated-API
 * throttle with RateLimit-* headers, so the import paces itself to the announced budget.
 */
import { GitLabFake } from '../fakes/gitlab.js';
import { failingIndexes, type SandboxSource, type SandboxSourceOptions } from '../source.js';

const TOKEN = 'glpat-sandbox-fake-token-000000';
const PROJECT = 'sandbox/platform/api';
/** GitLab.com allows 2,000 a minute; this is far less, so pacing shows within a few hundred issues. */
const THROTTLE = { limit: 100, windowMs: 2_000 };

export async function startGitlab(o: SandboxSourceOptions): Promise<SandboxSource> {
  const fake = new GitLabFake({ token: TOKEN, projectId: 4242, projectPath: PROJECT, ...(o.rateLimit ? { rateLimit: THROTTLE } : {}) });
  const baseUrl = await fake.start(o.port);
  fake.project.seed(o.items, { userNotes: (i) => i % 4 });
  // A timestamp the connector cannot read, as an old self-managed instance's broken migration might leave.
  const failing = failingIndexes(o.items, 2).map((i) => {
    const issue = fake.project.issues[i]!;
    issue['closed_at'] = 'unknown';
    return { key: `#${issue.iid}`, why: 'closed_at is not a timestamp (normalization fails)' };
  });
  return {
    type: 'gitlab', label: 'GitLab', baseUrl,
    sourceConfig: { base_url: baseUrl, project_id: PROJECT, token: TOKEN },
    secretEnv: { token: 'SANDBOX_GITLAB_TOKEN' },
    items: o.items, failing,
    pacing: o.rateLimit ? `throttle of ${THROTTLE.limit} requests per ${THROTTLE.windowMs / 1000} s (RateLimit-* headers, 429 beyond)` : null,
    stats: () => ({ requests: fake.requests.length, limited: fake.throttled }),
    close: () => fake.close(),
  };
}
