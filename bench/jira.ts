/**
 * Jira Cloud connector figures, side by side in one run, against the fake with 50 ms latency and
 * 500 issues with comments (every 10th issue has 45, beyond the 20 a search embeds):
 * - the connector: /search/jql pages of 100 following nextPageToken with the comments embedded,
 *   only the longer threads paged from the comment endpoint (in parallel, bounded), the next
 *   search page fetched while those threads are read;
 * - a plain sequential client: the same pages one after another, then each issue's comments
 *   with one request per issue.
 * Prints requests per item, wall time and the ratios.
 */
import type { ConnectorModule } from '../src/connectors/connector.js';
import { drainConnector } from './drain.js';
import { jiraModule } from '../src/connectors/jira/index.js';
import { JiraFake } from '../src/sandbox/fakes/jira.js';
import { generateIssues } from '../src/sandbox/fakes/jira-data.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';

const ISSUES = 500;

interface Result {
  items: number;
  comments: number;
  requests: number;
  ms: number;
}

export const connectorImport = (fake: JiraFake): Promise<Result> =>
  drainConnector(jiraModule as unknown as ConnectorModule, { base_url: fake.baseUrl, project_key: 'TEST', ...fake.credentials });

interface SearchBody {
  issues: { id: string }[];
  nextPageToken?: string;
}

/** What a first attempt looks like: search pages one after another, then each issue's comments (the first `limit` issues). */
export async function plainSequential(fake: JiraFake, limit = Infinity): Promise<Result> {
  const creds = fake.credentials as { email: string; api_token: string };
  const headers = {
    authorization: `Basic ${Buffer.from(`${creds.email}:${creds.api_token}`).toString('base64')}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  const t0 = performance.now();
  let requests = 0;
  let items = 0;
  let comments = 0;
  let token: string | undefined;
  do {
    const body = JSON.stringify({ jql: 'project = TEST ORDER BY id ASC', maxResults: 100, fields: ['summary', 'status', 'description'], nextPageToken: token });
    const res = await fetch(`${fake.baseUrl}/rest/api/3/search/jql`, { method: 'POST', headers, body });
    requests++;
    const page = (await res.json()) as SearchBody;
    for (const issue of page.issues.slice(0, limit - items)) {
      const c = await fetch(`${fake.baseUrl}/rest/api/3/issue/${issue.id}/comment?maxResults=100`, { headers });
      requests++;
      comments += ((await c.json()) as { comments: unknown[] }).comments.length;
    }
    items += Math.min(page.issues.length, limit - items);
    token = page.nextPageToken;
  } while (token !== undefined && items < limit);
  return { items, comments, requests, ms: performance.now() - t0 };
}

export async function run(print: (line: string) => void): Promise<void> {
  const issues = generateIssues({ count: ISSUES, comments: (i) => (i % 10 === 0 ? 45 : i % 4) });
  const fake = await started(new JiraFake({ flavor: 'cloud', issues, latencyMs: 50 }));
  try {
    print(`Jira Cloud: ${ISSUES} issues with comments (10% over the 20 embedded), fake latency 50 ms`);
    const ours = await connectorImport(fake);
    const plain = await plainSequential(fake);
    const line = (name: string, r: Result): string =>
      `  ${name.padEnd(46)} ${(r.requests / r.items).toFixed(3)} req/item  ${(r.ms / 1000).toFixed(2).padStart(6)} s  items ${r.items}, comments ${r.comments}`;
    print(line('connector (token pages, embedded + parallel)', ours));
    print(line('plain sequential (pages, comments per issue)', plain));
    print(`  ratio: ${(plain.requests / ours.requests).toFixed(1)}x fewer requests, ${(plain.ms / ours.ms).toFixed(1)}x faster`);
  } finally {
    await fake.close();
  }
}
