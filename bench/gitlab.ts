/**
 * GitLab connector figures, side by side in one run:
 * 1. Against a fake with 50 ms latency and 1,000 issues with notes: requests per item and wall
 *    time of the connector (over GraphQL; over REST on a keyset server and on an offset-only
 *    server, both without GraphQL) beside a plain
 *    sequential client (page after page, then the notes of each issue one request at a time).
 *    The plain client is strictly sequential, so it is measured on its first 300 issues and its
 *    time for 1,000 projected linearly (measuring it whole would take ~50 s alone).
 * 2. Against a fake allowing R requests per second with counting-down RateLimit-* headers: the
 *    rate achieved as a fraction of R and the number of 429s received.
 */
import { drainConnector } from './drain.js';
import { steadyRate } from './rate.js';
import { gitlabModule } from '../src/connectors/gitlab/index.js';
import { GitLabFake, type GitLabFakeOptions } from '../src/sandbox/fakes/gitlab.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';

const ISSUES = 1000;
const PLAIN_SAMPLE = 300;
const RATE = 25;

export async function fakeWith(n: number, opts: GitLabFakeOptions): Promise<GitLabFake> {
  const fake = await started(new GitLabFake(opts));
  fake.project.seed(n);
  return fake;
}

export const importAll = (fake: GitLabFake) =>
  drainConnector(gitlabModule, { base_url: fake.baseUrl, token: fake.token, project_id: fake.project.path });

/** What a first attempt looks like: offset pages one after another, then each issue's notes. */
export async function plainSequential(fake: GitLabFake, limit: number): Promise<{ items: number; ms: number; requests: number }> {
  const headers = { 'PRIVATE-TOKEN': fake.token };
  const project = `${fake.baseUrl}/api/v4/projects/${encodeURIComponent(fake.project.path)}`;
  const t0 = performance.now();
  let requests = 0;
  let items = 0;
  for (let page = 1; items < limit; page++) {
    const res = await fetch(`${project}/issues?order_by=created_at&sort=asc&per_page=100&page=${page}`, { headers });
    requests++;
    const issues = (await res.json()) as { iid: number }[];
    for (const issue of issues.slice(0, limit - items)) {
      for (let notesPage = '1'; notesPage; ) {
        const n = await fetch(`${project}/issues/${issue.iid}/notes?sort=asc&per_page=100&page=${notesPage}`, { headers });
        requests++;
        await n.json();
        notesPage = n.headers.get('x-next-page') ?? '';
      }
    }
    items += Math.min(issues.length, limit - items);
    if (!res.headers.get('x-next-page')) break;
  }
  return { items, ms: performance.now() - t0, requests };
}


export async function run(print: (line: string) => void): Promise<void> {
  print(`GitLab: ${ISSUES} issues with notes (75% have comments, system notes mixed in), fake latency 50 ms`);
  const graphqlFake = await fakeWith(ISSUES, { latencyMs: 50 });
  const keysetFake = await fakeWith(ISSUES, { latencyMs: 50, graphql: 'absent' });
  const offsetFake = await fakeWith(ISSUES, { latencyMs: 50, keyset: 'ignored', graphql: 'absent' });
  try {
    const graphql = await importAll(graphqlFake);
    const keyset = await importAll(keysetFake);
    const offset = await importAll(offsetFake);
    const plain = await plainSequential(keysetFake, PLAIN_SAMPLE);
    const plainMs = (plain.ms / plain.items) * ISSUES;
    const line = (name: string, r: { items: number; ms: number; requests: number }, ms = r.ms) =>
      `  ${name.padEnd(36)} ${(r.requests / r.items).toFixed(2)} req/item  ${(ms / 1000).toFixed(1).padStart(5)} s  (${(plainMs / ms).toFixed(1)}x plain)`;
    print(line('connector, GraphQL (issues + notes)', graphql));
    print(line('connector, REST, keyset server (>= 18.3)', keyset));
    print(line('connector, REST, offset-only server', offset));
    print(line(`plain sequential (${PLAIN_SAMPLE} measured, projected)`, plain, plainMs));
    print(`  items ${graphql.items}/${keyset.items}/${offset.items}, comments ${graphql.comments}/${keyset.comments}/${offset.comments}`);
  } finally {
    await Promise.all([graphqlFake.close(), keysetFake.close(), offsetFake.close()]);
  }

  const f = await measureRate();
  print(`GitLab (REST path): fake allowing R=${RATE} req/s (RateLimit-* headers counting down, 1 s windows), 300 issues with notes`);
  print(
    `  achieved ${f.steady.toFixed(1)} req/s = ${(f.steady / RATE).toFixed(2)} R over ${f.windows} full windows ` +
      `(${f.requests} requests in ${(f.ms / 1000).toFixed(1)} s), ${f.refused} x 429 (goal > 0.85 R, 0 x 429)`,
  );
}

/** The REST path's rate: GraphQL reads 300 issues in 3 requests, too few to measure a rate by. */
export async function measureRate() {
  const limited = await fakeWith(300, { latencyMs: 5, rateLimit: { limit: RATE, windowMs: 1000 }, graphql: 'absent' });
  try {
    // Start on a window boundary: a partial first window would flatter the rate.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const r = await importAll(limited);
    const { steady, windows } = steadyRate(limited.requests.filter((q) => q.status !== 429).map((q) => q.at));
    return { rate: RATE, steady, windows, refused: limited.throttled, requests: limited.requests.length, ms: r.ms };
  } finally {
    await limited.close();
  }
}
