/**
 * Durability of the embedded database (src/store/pglite.ts): the service, run as `npm start` runs
 * it with DATABASE_URL unset, is killed with SIGKILL mid-import; the database opened again after
 * it (PostgreSQL's crash recovery) holds every item the job had counted as stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { jobKeys } from '../../src/jobs/keys.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { GithubFake } from '../../src/sandbox/fakes/github.js';
import { openItemStore } from '../../src/store/work-items.js';
import { stop } from '../support/processes.js';
import { deletePrefix, TEST_REDIS_URL } from '../support/redis.js';
import { seedPgliteDataDir } from '../support/store.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGKILL mid-import: after a restart the embedded database holds every item the job counted', async () => {
  // Slow pages keep the import going long enough to be cut off in the middle.
  const fake = new GithubFake({ issues: 3000, prEvery: 0, commentsFor: () => 0, latencyMs: 150, rateLimit: { limit: 1e9, windowMs: 3_600_000 } });
  await fake.start();
  cleanups.push(() => fake.close());
  const dataDir = await mkdtemp(join(tmpdir(), 'is-pglite-crash-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  await seedPgliteDataDir(dataDir);
  const prefix = `t:crash-${process.pid}:`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  cleanups.push(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, SOURCE_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const service: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'all'], { env, stdio: 'ignore' });
  cleanups.push(() => stop(service, 'SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  await until('/health 200', async () => ((await fetch(`${base}/health`)).status === 200 ? true : null), 90_000);

  const created = await fetch(`${base}/api/imports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source_type: 'github', source_config: { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo }, options: { batch_size: 10 } }),
  });
  expect(created.status).toBe(202);
  const { job_id: jobId } = (await created.json()) as { job_id: string };
  await until('200 items counted', async () => {
    const job = (await (await fetch(`${base}/api/imports/${jobId}`)).json()) as JobRecord;
    return job.progress.successful_items >= 200 ? job : null;
  }, 60_000);
  await stop(service, 'SIGKILL');

  // What the job had counted when the process died is final: nobody writes the record any more.
  const atKill = JSON.parse((await redis.get(jobKeys(prefix).record(jobId)))!) as JobRecord;
  expect(atKill.status).toBe('processing');
  const counted = atKill.progress.successful_items;
  expect(counted).toBeGreaterThanOrEqual(200);
  expect(counted).toBeLessThan(3000);

  const store = await openItemStore({ dataDir }); // the dead process's lock is taken over
  try {
    expect(await store.countItems()).toBeGreaterThanOrEqual(counted);
    let logged = 0;
    let cursor: string | undefined;
    do {
      const page = await store.jobItems(jobId, { limit: 1000, cursor });
      logged += page.items.filter((i) => i.action === 'created').length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(logged).toBeGreaterThanOrEqual(counted);
    for (const item of atKill.imported_items) {
      expect(await store.getItem(item.item_id!, null), item.external_id).not.toBeNull();
    }
  } finally {
    await store.close();
  }
}, 180_000);
