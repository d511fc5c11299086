/**
 * GitHub connector figures, side by side in one run:
 * 1. Against a fake with 50 ms latency, 1,000 listed items (a third pull requests) with comments:
 *    requests per item and wall time of the connector beside a plain sequential client (issue
 *    pages one after another, then each issue's comments one request per issue). The plain client
 *    is strictly sequential, so it is measured on the first 300 listed items and projected
 *    linearly to 1,000 (measured whole it alone would take ~35 s). Also printed: what per-issue
 *    comment requests would have cost the connector, the alternative its planner rejected.
 * 2. Against a fake allowing R requests per second (x-ratelimit-* counting down in 1 s windows,
 *    429 when spent): the achieved rate as a fraction of R and the number of 429s received.
 */
import { drainConnector } from './drain.js';
import { steadyRate } from './rate.js';
import { githubModule } from '../src/connectors/github/index.js';
import { GithubFake, type GithubFakeOptions } from '../src/sandbox/fakes/github.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';

const LISTED = 1000;
const PLAIN_SAMPLE = 300;
const RATE = 50;

export const importAll = (fake: GithubFake, batchSize: number) =>
  drainConnector(githubModule, { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo }, batchSize);

/** A first attempt: list pages in sequence, skip pull requests, one comments request per issue. */
export async function plainSequential(fake: GithubFake, limit: number) {
  const headers = { authorization: `Bearer ${fake.token}`, 'user-agent': 'bench', accept: 'application/vnd.github+json' };
  const repo = fake.data.repoUrl;
  const t0 = performance.now();
  let requests = 0;
  let listed = 0;
  let items = 0;
  for (let page = 1; listed < limit; page++) {
    const res = await fetch(`${repo}/issues?state=all&sort=created&direction=asc&per_page=100&page=${page}`, { headers });
    requests++;
    const batch = ((await res.json()) as { number: number; pull_request?: unknown }[]).slice(0, limit - listed);
    for (const issue of batch.filter((i) => !i.pull_request)) {
      const c = await fetch(`${repo}/issues/${issue.number}/comments?per_page=100`, { headers });
      requests++;
      await c.json();
      items++;
    }
    listed += batch.length;
    if (!res.headers.get('link')?.includes('rel="next"')) break;
  }
  return { items, listed, ms: performance.now() - t0, requests };
}

async function latencyFigures(print: (line: string) => void): Promise<void> {
  const fake = await started(new GithubFake({ issues: LISTED, latencyMs: 50 }));
  try {
    const ours = await importAll(fake, 100);
    const plain = await plainSequential(fake, PLAIN_SAMPLE);
    const plainMs = (plain.ms / plain.listed) * LISTED;
    const plainRequests = (plain.requests / plain.listed) * LISTED;
    const commented = fake.data.issues.filter((i) => !i['pull_request'] && (i['comments'] as number) > 0).length;
    const perIssue = Math.ceil(LISTED / 100) + commented;
    print(`GitHub: ${LISTED} listed (a third pull requests), ${ours.items} issues, ${fake.data.comments.length} comments in the repository, fake latency 50 ms`);
    print(`  connector                         ${(ours.requests / ours.items).toFixed(3)} req/item  ${(ours.ms / 1000).toFixed(2).padStart(6)} s  (${(plainMs / ours.ms).toFixed(1)}x faster, ${ours.requests} requests)`);
    print(`  plain sequential (${PLAIN_SAMPLE} measured,    ${(plainRequests / ours.items).toFixed(3)} req/item  ${(plainMs / 1000).toFixed(2).padStart(6)} s  (projected ${Math.round(plainRequests)} requests)`);
    print('   projected to all)');
    print(`  per-issue comments instead of bulk would need ${perIssue} requests (${(perIssue / ours.items).toFixed(3)} req/item); comments imported ${ours.comments}`);
  } finally {
    await fake.close();
  }
}


/** The rate figure: one import against a fake allowing RATE requests per 1 s window. */
export async function measureRate() {
  // 4 comments an issue: 12,000 in the repository, over the bulk cap, so comments come per issue
  // and the import makes enough requests (~2,000) to measure the rate over ~40 windows.
  const opts: GithubFakeOptions = { issues: 3000, commentsFor: () => 4, latencyMs: 5, rateLimit: { limit: RATE, windowMs: 1000, status: 429 } };
  const fake = await started(new GithubFake(opts));
  try {
    // Start on a window boundary: a partial first window would flatter the rate.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const r = await importAll(fake, 10);
    const refused = fake.requests.filter((q) => q.status === 429 || q.status === 403).length;
    const { steady, windows } = steadyRate(fake.requests.filter((q) => q.status < 400).map((q) => q.answeredAt));
    return { rate: RATE, steady, windows, refused, requests: fake.requests.length, ms: r.ms, items: r.items };
  } finally {
    await fake.close();
  }
}

async function rateFigures(print: (line: string) => void): Promise<void> {
  const f = await measureRate();
  print(`GitHub: fake allowing R=${RATE} req/s (x-ratelimit-* counting down, 1 s windows, 429 when spent), 3,000 listed, pages of 10`);
  print(
    `  achieved ${f.steady.toFixed(1)} req/s = ${(f.steady / RATE).toFixed(2)} R over ${f.windows} full windows ` +
      `(${f.requests} requests in ${(f.ms / 1000).toFixed(1)} s, ${f.items} issues), ${f.refused} x 429 (goal > 0.85 R, 0 x 429)`,
  );
}

export async function run(print: (line: string) => void): Promise<void> {
  await latencyFigures(print);
  await rateFigures(print);
}
