/**
 * `npm run demo` end to end, as a person would run it: a child process that starts the sandbox
 * and a service of its own, imports from all four vendors and prints a summary; exit 0 only when
 * all four completed, and nothing left behind in Redis or on disk.
 */
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/redis.js';
import { kill, runCli, type CliRun } from './cli.js';

const ITEMS = 60;
/** What the sandbox makes fail on purpose, per vendor (see src/sandbox/sources). */
const FAILING = { jira: 1, servicenow: 1, github: 2, gitlab: 2 };

describe('npm run demo', { timeout: 240_000 }, () => {
  const runs: CliRun[] = [];
  afterAll(async () => {
    for (const r of runs) await kill(r, 'SIGKILL');
  });

  it('imports from all four sandbox vendors, prints a summary of four completed imports and exits 0', async () => {
    const run = runCli(['demo', '--items', String(ITEMS), '--timeout', '200'], { REDIS_URL: TEST_REDIS_URL });
    runs.push(run);
    const code = await run.exited;
    const out = run.stdout();
    expect(code, `${out}\n${run.stderr()}`).toBe(0);
    for (const [source, failed] of Object.entries(FAILING)) {
      const row = new RegExp(`^${source}\\s+completed\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+s$`, 'm').exec(out);
      expect(row, `${source} row in:\n${out}`).not.toBeNull();
      expect(Number(row![1])).toBe(ITEMS);
      expect(Number(row![2])).toBe(failed);
    }
    expect(out).toMatch(/All four imports completed/);
    // the reasons of the failures are shown
    expect(out).toMatch(/jira DEMO-\d+: ITEM_TOO_LARGE/);
    expect(out).toMatch(/servicenow INC\d+: refused by the database/);
    // progress lines while it ran
    expect(out).toMatch(/^\s+[\d.]+s\s+gitlab\s+(processing|completed)\s/m);

    // It cleaned up after itself: its Redis key prefix is empty, its temporary directory gone.
    const prefix = /key prefix (demo:[0-9a-f]+:)/.exec(out)?.[1];
    const dataDir = /embedded database in (\S+),/.exec(out)?.[1];
    expect(prefix).toBeDefined();
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      expect(keys).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('says what is missing and exits 1 when Redis is not reachable', async () => {
    const run = runCli(['demo'], { REDIS_URL: 'redis://127.0.0.1:1/0' });
    runs.push(run);
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toMatch(/needs Redis and cannot reach it at redis:\/\/127\.0\.0\.1:1\/0 \(ECONNREFUSED\)/);
    expect(run.stdout()).not.toMatch(/Starting the service/);
  });

  it('refuses a bad flag with a usage error (exit 3) and starts nothing', async () => {
    const run = runCli(['demo', '--items', 'lots']);
    runs.push(run);
    expect(await run.exited).toBe(3);
    expect(run.stderr()).toMatch(/--items must be a whole number/);
    expect(run.stdout()).toBe('');
  });
});
