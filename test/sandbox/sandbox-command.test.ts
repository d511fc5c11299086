/**
 * `integration-service sandbox` as a person uses it: start it, paste the printed commands into a
 * shell against a running service, and see the imports complete with what the sandbox announced.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Running } from '../../src/main.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { deletePrefix, TEST_REDIS_URL } from '../support/redis.js';
import { seedPgliteDataDir } from '../support/store.js';
import { kill, runCli, type CliRun } from './cli.js';

const sh = promisify(execFile);
const ITEMS = 40;

describe('integration-service sandbox', { timeout: 180_000 }, () => {
  let service: Running;
  let server = '';
  let dataDir = '';
  const prefix = `t:${randomUUID().slice(0, 8)}:`;
  let sandbox: CliRun;
  let banner = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'is-sandbox-'));
    await seedPgliteDataDir(dataDir);
    service = await start('all', {
      PORT: '0', HOST: '127.0.0.1', REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_DIR: dataDir,
      SOURCE_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'test',
    }, pino({ level: 'silent' }));
    server = `http://127.0.0.1:${(service.app!.server.address() as AddressInfo).port}`;
    sandbox = runCli(['sandbox', '--items', String(ITEMS), '--server', server]);
    banner = await sandbox.waitForOutput(/Press Ctrl\+C to stop\./, 60_000);
  });

  afterAll(async () => {
    if (sandbox) await kill(sandbox, 'SIGKILL');
    await deletePrefix(service.deps.redis, prefix);
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints, for each vendor, a curl command and the CLI form with the token from the environment', () => {
    expect(banner).toMatch(/SOURCE_ALLOWED_HOSTS=127\.0\.0\.1 .*SOURCE_ALLOW_PRIVATE_NETWORKS=true/);
    for (const type of ['jira', 'servicenow', 'github', 'gitlab']) {
      expect(banner).toMatch(new RegExp(`^  curl -s -X POST ${server}/api/imports .*"source_type":"${type}"`, 'm'));
      expect(banner).toMatch(new RegExp(`^  SANDBOX_\\w+=\\S+ integration-service import ${type} --base-url http://127\\.0\\.0\\.1:\\d+ .*--server ${server} --wait$`, 'm'));
    }
    // the CLI form never takes a secret as a flag value
    const cli = banner.split('\n').filter((l) => l.includes('integration-service import'));
    expect(cli.join('\n')).not.toMatch(/--(token|api-token|password) /);
    expect(cli.join('\n')).toMatch(/--token-env SANDBOX_GITHUB_TOKEN/);
  });

  it('each printed curl command, run in a shell, starts an import that completes with the announced failures', async () => {
    const failing: Record<string, number> = {};
    for (const block of banner.split('\n\n')) {
      const m = /^(\S.*) at http:.*\n {2}fails on purpose: (.*)$/m.exec(block);
      const type = /"source_type":"(\w+)"/.exec(block)?.[1];
      if (m && type) failing[type] = m[2]!.split('; ').length;
    }
    expect(failing).toEqual({ jira: 1, servicenow: 1, github: 2, gitlab: 2 });
    const curls = banner.split('\n').filter((l) => l.startsWith('  curl ')).map((l) => l.trim());
    expect(curls).toHaveLength(4);
    const jobs = await Promise.all(curls.map(async (line) => {
      const { stdout } = await sh('bash', ['-c', line]);
      const created = JSON.parse(stdout) as { job_id: string; source_type: string };
      expect(created.job_id).toMatch(/^[0-9a-f-]{36}$/);
      return created;
    }));
    for (const { job_id, source_type } of jobs) {
      const deadline = Date.now() + 120_000;
      let job: JobRecord;
      for (;;) {
        job = (await (await fetch(`${server}/api/imports/${job_id}`)).json()) as JobRecord;
        if (['completed', 'failed', 'cancelled'].includes(job.status) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(job.status, `${source_type}: ${job.error_code} ${job.error_message}`).toBe('completed');
      expect(job.progress.processed_items).toBe(ITEMS);
      expect(job.progress.failed_items).toBe(failing[source_type]);
      expect(job.progress.successful_items).toBe(ITEMS - failing[source_type]!);
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(0);
    expect(sandbox.stdout()).toMatch(/sandbox stopped\n$/);
  });
});
