/**
 * CONTRACT §10: one rate budget per account for every process of the deployment, kept in Redis.
 * Two factories, each with its own Redis connection and SharedBudget, stand for two worker
 * processes. No timing of speed here (that is bench/shared-rate.ts): zero 429s, pauses holding
 * the other process, no credential in Redis, and Redis down still working.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGithubRateLimit } from '../../src/connectors/github/rate-limit.js';
import { gitlabRateLimit } from '../../src/connectors/gitlab/rate-limit.js';
import { createSourceHttpFactory } from '../../src/outbound/http.js';
import { SharedBudget } from '../../src/outbound/shared-budget.js';
import type { SourceHttpFactory, SourceResponse } from '../../src/outbound/types.js';
import type { Policy, RateBudgetPolicy } from '../../src/policy.js';
import { GithubFake } from '../../src/sandbox/fakes/github.js';
import { started } from '../../src/sandbox/fakes/vendor-fake.js';
import { testPolicy, TEST_POLICY } from '../support/policy.js';
import { dumpValues, testRedis, TEST_REDIS_URL, type TestRedis } from '../support/redis.js';
import { startPrivateRedis } from '../support/redis-server.js';

let t: TestRedis;
const secret = randomBytes(32);
const opened: { redis: Redis; budget: SharedBudget }[] = [];
const servers: http.Server[] = [];

beforeAll(async () => {
  t = await testRedis();
});
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.budget.close();
    o.redis.disconnect();
  }
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});
afterAll(async () => {
  await t.cleanup();
});

/** One "process": its own Redis connection, SharedBudget and factory. */
function processFactory(policy: Policy = TEST_POLICY, opts: { url?: string; logger?: Logger } = {}): { http: SourceHttpFactory; budget: SharedBudget } {
  const redis = new Redis(opts.url ?? TEST_REDIS_URL, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  const budget = new SharedBudget({ redis, keyPrefix: t.prefix, secret, policy: policy.rateBudget, logger: opts.logger });
  opened.push({ redis, budget });
  return { http: createSourceHttpFactory({ allowPrivateNetworks: true, policy, sharedBudget: budget }), budget };
}

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Loopback server logging every request (path, arrival); `answer` decides the reply. */
async function serve(answer: (path: string, n: number) => { status: number; headers?: Record<string, string> }) {
  const log: { path: string; at: number; status: number }[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    const { status, headers = {} } = answer(path, log.filter((r) => r.path === path).length);
    log.push({ path, at: Date.now(), status });
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end('{}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

async function pauseInRedis(): Promise<number> {
  const [, keys] = await t.redis.scan('0', 'MATCH', `${t.prefix}import:rate:*`, 'COUNT', '1000');
  for (const key of keys) {
    if ((await t.redis.type(key)) !== 'hash') continue;
    const pause = Number(await t.redis.hget(key, 'pause'));
    if (pause > 0) return pause;
  }
  return 0;
}

describe('one rate budget per account across processes', { timeout: 90_000 }, () => {
  it('two processes on one GitHub account within its rate: zero 429s, and no credential in Redis', async () => {
    const R = 12;
    const fake = await started(new GithubFake({ issues: 3, latencyMs: 5, rateLimit: { limit: R, windowMs: 1000, status: 429 } }));
    try {
      const clients = [processFactory(), processFactory()].map(({ http: f }) =>
        f({
          source: 'GitHub', baseUrl: fake.baseUrl, concurrency: 4, headers: { authorization: `Bearer ${fake.token}` },
          rateLimit: createGithubRateLimit(TEST_POLICY.sources.github.secondaryBackoff),
        }),
      );
      const path = `/repos/${fake.data.o.owner}/${fake.data.o.repo}/issues`;
      const per = 30;
      const results = await Promise.all(clients.flatMap((c) => Array.from({ length: per }, (_, i) => c.get(path, { query: { page: i + 1 } }))));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(fake.limited).toBe(0);
      expect(fake.requests.filter((q) => q.status === 429 || q.status === 403)).toHaveLength(0);
      // both sent, each exactly its own requests (no retries were needed)
      expect(clients.map((c) => c.requestCount)).toEqual([per, per]);

      const dump = await dumpValues(t.redis, t.prefix);
      expect(dump).toContain(`${t.prefix}import:rate:`);
      expect(dump).not.toContain(fake.token);
      expect(dump).not.toContain(fake.token.slice(4, 20));
      expect(dump).not.toContain(Buffer.from(fake.token).toString('base64').slice(0, 16));
    } finally {
      await fake.close();
    }
  });

  it('a pause one process learns of holds the other, even while it holds tokens, until the pause ends', async () => {
    // Blocks large enough that the other process would go on sending for the whole pause if only leases carried it.
    const policy = testPolicy({ rateBudget: { ...TEST_POLICY.rateBudget, block: 100_000, maxInFlight: 1_000_000 } });
    let answered429 = 0;
    // A large reported budget: nothing but the pause holds anyone.
    const budgetHeaders = () => ({ 'ratelimit-remaining': '10000000', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60) });
    const { base, log } = await serve((path, n) => {
      if (path === '/limit' && n === 0) {
        answered429 = Date.now();
        return { status: 429, headers: { ...budgetHeaders(), 'retry-after': '2' } };
      }
      return { status: 200, headers: budgetHeaders() };
    });
    const account = {
      source: 'GitLab', baseUrl: base, concurrency: 2, headers: { 'private-token': 'glpat-shared-account-0123456789' },
      rateLimit: (res: SourceResponse<string>) => gitlabRateLimit(res, 1000),
    };
    const a = processFactory(policy).http(account);
    const b = processFactory(policy).http(account);
    // b keeps sending, one request after another, on the block of tokens it leased first
    let bSent = 0;
    let pauseEnd = Infinity;
    const bLoop = (async () => {
      while (Date.now() < pauseEnd + 300) await b.get(`/b${bSent++}`);
    })();
    await waitFor(() => bSent >= 3);
    const aDone = a.get('/limit');
    await waitFor(() => answered429 > 0);
    pauseEnd = answered429 + 2000;
    // A third process starting now, with no tokens at all, reads the pause from Redis.
    await waitFor(async () => (await pauseInRedis()) >= pauseEnd);
    const c = processFactory(policy).http(account);
    await Promise.all([aDone, bLoop, c.get('/c-first')]);

    // Requests sent before the pause reached b cannot be held back: allow it half a second.
    const during = log.filter((r) => r.path !== '/limit' && r.at >= answered429 + 500 && r.at < pauseEnd);
    expect(during).toEqual([]);
    expect(log.find((r) => r.path === '/c-first')!.at).toBeGreaterThanOrEqual(pauseEnd);
    expect(log.filter((r) => r.path.startsWith('/b') && r.at >= pauseEnd).length).toBeGreaterThan(0);
    expect(log.filter((r) => r.path === '/limit').map((r) => r.status)).toEqual([429, 200]);
  });

  it('Redis down: requests still go, held by the local gate, and the outage is logged once', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => undefined } as unknown as Logger;
    const policy = testPolicy({ rateBudget: { ...TEST_POLICY.rateBudget, block: 2, timeoutMs: 100, fallbackMs: 10 } });
    const { base, log } = await serve(() => ({ status: 200 }));
    // nothing listens on port 1: every command waits in the offline queue, so only the timeout ends it
    const h = processFactory(policy, { url: 'redis://127.0.0.1:1', logger }).http({ source: 'GitLab', baseUrl: base, concurrency: 2 });
    for (let i = 0; i < 12; i++) await h.get(`/x${i}`);
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.get(`/y${i}`)));
    expect(log).toHaveLength(20);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/shared rate budget unreachable in Redis/);
  });

  it('Redis stopping and coming back: requests go on meanwhile, then the budget is shared again', async () => {
    const lines: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => lines.push(`warn: ${msg}`), info: (msg: string) => lines.push(`info: ${msg}`) } as unknown as Logger;
    const policy = testPolicy({ rateBudget: { ...TEST_POLICY.rateBudget, block: 2, timeoutMs: 200, fallbackMs: 20, idleMs: 5 } });
    const budgetHeaders = () => ({ 'ratelimit-remaining': '1000', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60) });
    const { base, log } = await serve(() => ({ status: 200, headers: budgetHeaders() }));
    const server = await startPrivateRedis();
    try {
      const { http: f } = processFactory(policy, { url: server.url, logger });
      const h = f({
        source: 'GitLab', baseUrl: base, concurrency: 2, headers: { 'private-token': 'glpat-restart-case-0123456789' },
        rateLimit: (res) => gitlabRateLimit(res, 1000),
      });
      const admin = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 200 });
      admin.on('error', () => undefined);
      const reported = async () => {
        for (const key of await admin.keys(`${t.prefix}import:rate:*`)) {
          if ((await admin.type(key)) === 'hash' && (await admin.hget(key, 'remaining')) !== null) return true;
        }
        return false;
      };
      await h.get('/before');
      await waitFor(reported); // the shared budget is in use: the answer's budget reached Redis
      await server.shutdown();
      for (let i = 0; i < 6; i++) await h.get(`/down${i}`);
      await server.start();
      await waitFor(async () => {
        await h.get('/after');
        return lines.includes('info: shared rate budget reachable in Redis again');
      });
      expect(lines.filter((l) => l.startsWith('warn:'))).toEqual(['warn: shared rate budget unreachable in Redis: each process keeps to its own rate-limit gate until it is back']);
      expect(log.filter((r) => r.path.startsWith('/down'))).toHaveLength(6);
      admin.disconnect();
    } finally {
      for (const o of opened.splice(0)) {
        await o.budget.close();
        o.redis.disconnect();
      }
      await server.kill();
    }
  });
});

describe('the budget script', () => {
  const policy: RateBudgetPolicy = { ...TEST_POLICY.rateBudget, maxInFlight: 6, leaseMs: 300, pollMs: 20 };
  const budget = () => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const b = new SharedBudget({ redis, keyPrefix: t.prefix, secret, policy });
    opened.push({ redis, budget: b });
    return b;
  };

  it('grants within the reported budget less the reserve and what every process holds; a spent window waits for its reset', async () => {
    const b = budget();
    const account = b.account(['GitHub', 'https://api.github.com', 'budget-case']);
    const resetAt = Date.now() + 60_000;
    const x = await b.lease(account, 'x', { held: 0, want: 100, reserve: 1, blind: 100, report: { remaining: 5, resetAt } });
    expect(x).toMatchObject({ granted: 4, retryAt: 0 }); // 5 - reserve 1
    const y = await b.lease(account, 'y', { held: 0, want: 100, reserve: 1, blind: 100, report: null });
    expect(y!.granted).toBe(0);
    expect(y!.retryAt).toBeLessThan(resetAt); // x's requests are still out: ask again soon
    // x's four were answered: the source counts 1 left, the reserve
    await b.lease(account, 'x', { held: 0, want: 0, reserve: 1, blind: 100, report: { remaining: 1, resetAt } });
    expect(await b.lease(account, 'y', { held: 0, want: 100, reserve: 1, blind: 100, report: null })).toMatchObject({ granted: 0, retryAt: resetAt });
    // a late answer from an earlier window changes nothing
    await b.lease(account, 'x', { held: 0, want: 0, reserve: 1, blind: 100, report: { remaining: 50, resetAt: resetAt - 1000 } });
    expect((await b.lease(account, 'y', { held: 0, want: 100, reserve: 1, blind: 100, report: null }))!.granted).toBe(0);
  });

  // A GitLab 429 reports `RateLimit-Remaining: 0`: the first answer of that window said it was spent,
  // so its peak was 0, and once it passed no lease was ever granted again (the import hung).
  it('after a window first seen spent has passed, grants up to the gate\'s parallelism so answers tell the next window', async () => {
    const b = budget();
    const account = b.account(['GitLab', 'https://gitlab.example.com', 'spent-case']);
    const resetAt = Date.now() + 150;
    const spent = await b.lease(account, 'x', { held: 0, want: 8, reserve: 1, blind: 4, report: { remaining: 0, resetAt } });
    expect(spent).toMatchObject({ granted: 0, retryAt: resetAt });
    await waitFor(async () => Date.now() > resetAt + 5);
    const after = await b.lease(account, 'x', { held: 0, want: 8, reserve: 1, blind: 4, report: null });
    expect(after!.granted).toBe(4);
  });

  it('without a reported budget, caps what the deployment holds; tokens of a process that stopped renewing come free', async () => {
    const b = budget();
    const account = b.account(['Jira', 'https://acme.atlassian.net', 'cap-case']);
    expect((await b.lease(account, 'dead', { held: 0, want: 100, reserve: 1, blind: 100, report: null }))!.granted).toBe(6);
    expect((await b.lease(account, 'alive', { held: 0, want: 100, reserve: 1, blind: 100, report: null }))!.granted).toBe(0);
    let granted = 0;
    await waitFor(async () => (granted = (await b.lease(account, 'alive', { held: 0, want: 100, reserve: 1, blind: 100, report: null }))!.granted) > 0);
    expect(granted).toBe(6);
  });
});
