/**
 * CONTRACT §10, side by side in one run: the achieved rate of imports of one GitHub account
 * against a fake allowing R requests per second (x-ratelimit-* counting down in 1 s windows, 429
 * when spent), as a fraction of R, with the 429s received:
 *  - one process (the figure of bench/github.ts);
 *  - two worker processes importing at once, sharing the account's budget through Redis;
 *  - the same two processes each keeping its own budget (how it was before).
 * The rate is counted as in bench/rate.ts: accepted requests per 1 s window on the fake's clock,
 * over every full window of the run.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { githubModule } from '../src/connectors/github/index.js';
import { GithubFake } from '../src/sandbox/fakes/github.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';
import { deletePrefix, TEST_REDIS_URL } from '../test/support/redis.js';
import { drainConnector } from './drain.js';
import { steadyRate } from './rate.js';

export const RATE = 50;
const LISTED = 1000;
/** Over 10,000 comments the connector asks per commented issue (~770 requests an import): enough windows to measure. */
const COMMENTS_PER_ISSUE = 11;
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const CHILD = fileURLToPath(new URL('./shared-rate-child.ts', import.meta.url));

export interface Figure {
  steady: number;
  windows: number;
  refused: number;
  requests: number;
  seconds: number;
}

export async function measured(run: (fake: GithubFake) => Promise<void>): Promise<Figure> {
  const fake = await started(new GithubFake({ issues: LISTED, commentsFor: () => COMMENTS_PER_ISSUE, latencyMs: 5, rateLimit: { limit: RATE, windowMs: 1000, status: 429 } }));
  try {
    await run(fake);
    const accepted = fake.requests.filter((q) => q.status > 0 && q.status < 400).map((q) => q.answeredAt);
    const { steady, windows } = steadyRate(accepted);
    const refused = fake.requests.filter((q) => q.status === 429 || q.status === 403).length;
    const span = (Math.max(...accepted) - Math.min(...accepted)) / 1000;
    return { steady, windows, refused, requests: fake.requests.length, seconds: span };
  } finally {
    await fake.close();
  }
}

/** A child process importing the fake's repository from `startAt` on. */
function child(fake: GithubFake, startAt: number, shared: { prefix: string; secret: string } | null): Promise<void> {
  const env = {
    ...process.env, BASE_URL: fake.baseUrl, TOKEN: fake.token, OWNER: fake.data.o.owner, REPO: fake.data.o.repo,
    START_AT: String(startAt), SHARED: shared ? '1' : '0', REDIS_URL: TEST_REDIS_URL, PREFIX: shared?.prefix ?? '', SECRET: shared?.secret ?? '',
  };
  const proc = spawn(TSX, [CHILD], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shared-rate child exited with ${code}`))));
    proc.stdout.resume();
  });
}

/** Two processes started on the same window boundary, a few seconds out (tsx takes a while to start). */
export async function twoProcesses(fake: GithubFake, shared: boolean): Promise<void> {
  const startAt = Math.ceil((Date.now() + 5000) / 1000) * 1000;
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const opts = shared ? { prefix, secret: randomBytes(32).toString('hex') } : null;
  try {
    await Promise.all([child(fake, startAt, opts), child(fake, startAt, opts)]);
  } finally {
    const redis = new Redis(TEST_REDIS_URL);
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
}

function line(label: string, f: Figure): string {
  return `  ${label.padEnd(40)} ${f.steady.toFixed(1).padStart(5)} req/s = ${(f.steady / RATE).toFixed(2)} R over ${f.windows} windows, ` +
    `${String(f.refused).padStart(3)} x 429  (${f.requests} requests, ${f.seconds.toFixed(1)} s)`;
}

export async function run(print: (line: string) => void): Promise<void> {
  print(`GitHub: one account, fake allowing R=${RATE} req/s (x-ratelimit-* counting down, 1 s windows, 429 when spent), ${LISTED.toLocaleString('en')} listed with ${COMMENTS_PER_ISSUE} comments each, pages of 10, each process imports it all`);
  const one = await measured(async (fake) => {
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    await drainConnector(githubModule, { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo }, 10);
  });
  print(line('one process', one));
  const sharedFigure = await measured((fake) => twoProcesses(fake, true));
  print(line('two processes, one budget in Redis', sharedFigure));
  const apart = await measured((fake) => twoProcesses(fake, false));
  print(line('two processes, each its own budget', apart));
  print('  (goal: two processes >= 0.85 R with 0 x 429)');
}
