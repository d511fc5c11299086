/**
 * The sandbox's GitHub: one repository of generated issues with comments, served by the GitHub
 * fake (fakes/github.ts, built from GitHub's REST docs) under a small primary rate budget, so the
 * import visibly spends it and waits for its reset, as it would against api.github.com.
 */
import { GithubFake } from '../fakes/github.js';
import { failingIndexes, type SandboxSource, type SandboxSourceOptions } from '../source.js';

const TOKEN = 'ghp_sandboxFakeToken000000000000000000';
/** Requests per window: the pages of a few hundred issues and their comments take several windows. */
const BUDGET = { limit: 4, windowMs: 2_000 };

export async function startGithub(o: SandboxSourceOptions): Promise<SandboxSource> {
  const fake = new GithubFake({
    owner: 'sandbox-org', repo: 'demo-app', issues: o.items, prEvery: 0, token: TOKEN,
    commentsFor: (n) => n % 4, ...(o.rateLimit ? { rateLimit: BUDGET } : {}),
  });
  const baseUrl = await fake.start(o.port);
  // A date the connector cannot read, as a hand-edited export or a broken proxy might send it.
  const failing = failingIndexes(o.items, 2).map((i) => {
    const issue = fake.data.byNumber(i + 1)!;
    issue['closed_at'] = 'last Tuesday';
    return { key: `#${i + 1}`, why: 'closed_at is not a date (normalization fails)' };
  });
  return {
    type: 'github', label: 'GitHub', baseUrl,
    sourceConfig: { base_url: baseUrl, owner: 'sandbox-org', repo: 'demo-app', token: TOKEN },
    secretEnv: { token: 'SANDBOX_GITHUB_TOKEN' },
    items: o.items, failing,
    pacing: o.rateLimit ? `primary rate limit of ${BUDGET.limit} requests per ${BUDGET.windowMs / 1000} s (x-ratelimit-* headers)` : null,
    stats: () => ({ requests: fake.requests.length, limited: fake.limited }),
    close: () => fake.close(),
  };
}
