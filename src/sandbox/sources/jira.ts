/**
 * The sandbox's Jira Cloud: one project of generated issues with comments (ADF), served by the
 * Jira fake (fakes/jira.ts, built from Atlassian's REST v3 docs). The second search page is
 * answered once with a 429 and Retry-After, which the import waits out.
 */
import { JiraFake } from '../fakes/jira.js';
import { generateIssues } from '../fakes/jira-data.js';
import { failingIndexes, type SandboxSource, type SandboxSourceOptions } from '../source.js';

const EMAIL = 'sandbox@example.com';
const API_TOKEN = 'ATATT-sandbox-fake-api-token-0000';
const PROJECT = 'DEMO';
/** Over the 5 MiB a stored item may have once normalized (description plus the raw ADF). */
const HUGE_DESCRIPTION_BYTES = 3_000_000;

/** Changelog entries the fake's changelog endpoints serve per issue: longer changelogs come cut. */
const CHANGELOG_CAP = 45;

export async function startJira(o: SandboxSourceOptions): Promise<SandboxSource> {
  // Every tenth issue has a long changelog, which the changelog endpoints cut short (CHANGELOG_CAP):
  // those items are stored with partial history, and say so.
  const long = (i: number) => i % 10 === 3;
  const issues = generateIssues({ project: PROJECT, count: o.items, comments: (i) => i % 4, history: (i) => (long(i) ? 60 : i % 3) });
  const failing = failingIndexes(o.items, 1).map((i) => {
    const line = `${new Date(Date.UTC(2024, 0, 1)).toISOString()} ERROR worker-7 connection reset by peer\n`;
    issues[i]!.description = `Full log attached inline:\n${line.repeat(Math.ceil(HUGE_DESCRIPTION_BYTES / line.length))}`;
    return { key: issues[i]!.key, why: 'a 3 MB pasted log: the normalized item is over 5 MiB (ITEM_TOO_LARGE)' };
  });
  const fake = new JiraFake({ flavor: 'cloud', issues, projects: [PROJECT], email: EMAIL, apiToken: API_TOKEN });
  fake.changelogCap = CHANGELOG_CAP;
  const cut = issues.filter((_, i) => long(i) && !failing.some((f) => f.key === issues[i]!.key)).map((issue) => issue.key);
  const baseUrl = await fake.start(o.port);
  if (o.rateLimit) {
    fake.inject({ kind: 'rate-limited', retryAfterSec: 2, when: (r) => r.path === '/rest/api/3/search/jql' && r.body?.['nextPageToken'] !== undefined });
  }
  return {
    type: 'jira', label: 'Jira Cloud', baseUrl,
    sourceConfig: { base_url: baseUrl, project_key: PROJECT, email: EMAIL, api_token: API_TOKEN },
    secretEnv: { api_token: 'SANDBOX_JIRA_API_TOKEN' },
    items: o.items, failing,
    ...(cut.length > 0 && { partial: `${cut.join(', ')}: a 60-entry changelog of which the changelog endpoints serve ${CHANGELOG_CAP} (history partial)` }),
    pacing: o.rateLimit ? 'one 429 with Retry-After: 2 on the second search page' : null,
    stats: () => ({ requests: fake.requests.length, limited: fake.requests.filter((r) => r.status === 429).length }),
    close: () => fake.close(),
  };
}
