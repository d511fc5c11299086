/**
 * `syncs create|list|pause|resume|run|delete` as a child process against a live service with the
 * real /api/syncs (and its scheduler: a new sync's first run starts at once) and the GitHub fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startCliService, type CliService } from './support.js';

const TOKEN = 'ghp_syncTestToken0123456789abcdefABCD';
const TERMINAL = ['completed', 'failed', 'cancelled'];

interface SyncView {
  sync_id: string;
  status: string;
  last_job_id: string | null;
  last_status: string | null;
}

describe('syncs commands', { timeout: 120_000 }, () => {
  let svc: CliService;
  let server: string[];
  /** Made by the first test, used by the second (tests of a file run in order). */
  let syncId: string | undefined;

  const getSync = async (id: string): Promise<{ status: number; body: SyncView }> => {
    const res = await fetch(`${svc.server}/api/syncs/${id}`);
    return { status: res.status, body: (await res.json()) as SyncView };
  };

  /** Polls the sync until `until` holds (the machine may be slow: no fixed sleeps). */
  async function waitForSync(id: string, until: (s: SyncView) => boolean, timeoutMs = 30_000): Promise<SyncView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await getSync(id);
      if (until(body)) return body;
      if (Date.now() > deadline) throw new Error(`sync ${id} never reached the state: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const syncCount = async () => ((await (await fetch(`${svc.server}/api/syncs?limit=500`)).json()) as { syncs: unknown[] }).syncs.length;

  beforeAll(async () => {
    svc = await startCliService({ issues: 5, prEvery: 0, commentsFor: () => 0, token: TOKEN });
    server = ['--server', svc.server];
  });
  afterAll(async () => svc?.close());

  it('create prints the webhook secret once; list shows the sync (never the secret); pause', async () => {
    const created = await cli(
      [...server, 'syncs', 'create', 'github', '--base-url', svc.github.baseUrl, '--owner', 'octo-org', '--repo', 'hello-world',
        '--token-env', 'GH_TOKEN', '--every', '15m', '--full-every', '1d', '--batch-size', '2'],
      { GH_TOKEN: TOKEN },
    ).done;
    expect(created.code, created.stderr).toBe(0);
    syncId = /^created sync (\S+) \(github octo-org\/hello-world, every 15m00s\)$/m.exec(created.stdout)?.[1];
    expect(syncId, created.stdout).toBeDefined();
    const secret = /webhook secret: (\S+) {2}\(shown once/.exec(created.stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.stdout).toContain(`webhook URL:    ${svc.server}/api/webhooks/${syncId}`);
    expect(created.stdout + created.stderr).not.toContain(TOKEN);
    // the service keeps what was sent: the secret printed, the schedule, the run options, the scope
    const stored = await svc.harness.deps.syncs.webhookSecret(syncId!);
    expect(stored?.secret).toBe(secret);
    expect(stored?.sync).toMatchObject({
      every_seconds: 900, full_every_seconds: 86_400, options: { batch_size: 2 }, scope: 'octo-org/hello-world', base_url: svc.github.baseUrl,
    });

    // The scheduler's first run (due at creation) ends before the manual runs below.
    const first = await waitForSync(syncId!, (s) => s.last_job_id !== null && TERMINAL.includes(s.last_status ?? ''));
    expect(first.last_status).toBe('completed');

    const list = await cli([...server, 'syncs', 'list']).done;
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^SYNC\s+STATUS\s+SOURCE\s+SCOPE\s+EVERY\s+LAST RUN\s+NEXT RUN$/m);
    expect(list.stdout).toMatch(new RegExp(`^${syncId}\\s+active\\s+github\\s+octo-org/hello-world\\s+15m00s\\s+completed\\s`, 'm'));
    const listed = await cli([...server, 'syncs', 'list', '--json', '--status', 'active']).done;
    expect(JSON.parse(listed.stdout).syncs.map((s: SyncView) => s.sync_id)).toEqual([syncId]);
    // shown once: never again in what the service answers
    expect(list.stdout + listed.stdout).not.toContain(secret);

    const pause = await cli([...server, 'syncs', 'pause', syncId!]).done;
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toBe(`paused sync ${syncId}\n`);
    expect((await getSync(syncId!)).body.status).toBe('paused');
  });

  it('run: 202 and the job, then exit 3 on 409 SYNC_RUNNING while it runs; resume; delete', async () => {
    expect(syncId, 'made by the first test').toBeDefined();

    // A paused sync runs once on demand; its run hangs at the first page until cancelled.
    svc.github.inject({ kind: 'slow', delayMs: 30_000, match: /\/repos\/octo-org\/hello-world\/issues\?/ });
    const run = await cli([...server, 'syncs', 'run', syncId!]).done;
    expect(run.code, run.stderr).toBe(0);
    const jobId = /^started job (\S+)$/m.exec(run.stdout)?.[1];
    expect(jobId, run.stdout).toBeDefined();
    expect(run.stdout).toContain(`integration-service jobs watch ${jobId}`);
    expect((await svc.harness.deps.jobs.get(jobId!, null))?.sync_id).toBe(syncId);

    const again = await cli([...server, 'syncs', 'run', syncId!]).done;
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/409 SYNC_RUNNING/);
    expect(again.stdout).toBe('');

    await fetch(`${svc.server}/api/imports/${jobId}`, { method: 'DELETE' });
    await svc.harness.waitFor(jobId!);

    const resume = await cli([...server, 'syncs', 'resume', syncId!, '--json']).done;
    expect(resume.code, resume.stderr).toBe(0);
    expect(JSON.parse(resume.stdout)).toMatchObject({ sync_id: syncId, status: 'active' });
    expect((await getSync(syncId!)).body.status).toBe('active');

    const del = await cli([...server, 'syncs', 'delete', syncId!]).done;
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toBe(`deleted sync ${syncId}\n`);
    expect((await getSync(syncId!)).status).toBe(404);

    const missing = await cli([...server, 'syncs', 'pause', syncId!]).done;
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/404 SYNC_NOT_FOUND/);
  });

  it('a secret on the command line, a bad --every and a refused body change nothing', async () => {
    const before = await syncCount();
    const base = [...server, 'syncs', 'create', 'github', '--base-url', svc.github.baseUrl, '--owner', 'o', '--repo', 'r'];
    const secret = await cli([...base, '--token', 'zzz-secret', '--every', '60']).done;
    expect(secret.code).toBe(3);
    expect(secret.stderr).toMatch(/--token-env NAME/);
    expect(secret.stderr).not.toContain('zzz-secret');
    const every = await cli([...base, '--every', 'often']).done;
    expect(every.code).toBe(3);
    expect(every.stderr).toMatch(/--every takes seconds or a duration/);
    // below SYNC_MIN_INTERVAL_S: the service's 422, told as the flag to change
    const tooOften = await cli([...base, '--every', '1s']).done;
    expect(tooOften.code).toBe(3);
    expect(tooOften.stderr).toMatch(/the service refused the sync/);
    expect(tooOften.stderr).toMatch(/every_seconds/);
    expect(await syncCount()).toBe(before);
  });
});
