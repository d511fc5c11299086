/**
 * `jobs list|show|watch|cancel` against a live service whose event streams are all refused
 * (at most 0 per tenant), so `watch` has to follow jobs by polling; Ctrl-C stops watching and
 * leaves the job running.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESC, cli, lastLine, startCliService, type CliService } from './support.js';

describe('jobs commands', { timeout: 120_000 }, () => {
  let svc: CliService;
  let base: string[];

  /** A job whose fourth page hangs until it is cancelled (or 30 s pass): a run to cancel or walk away from. */
  async function startStalledJob(): Promise<string> {
    svc.github.inject({ kind: 'slow', delayMs: 30_000, match: /[?&]page=4(&|$)/ });
    return startJob(1);
  }

  async function startJob(batchSize: number): Promise<string> {
    const res = await fetch(`${svc.server}/api/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source_type: 'github',
        source_config: { base_url: svc.github.baseUrl, owner: 'octo-org', repo: 'hello-world' },
        options: { batch_size: batchSize },
      }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { job_id: string }).job_id;
  }

  beforeAll(async () => {
    svc = await startCliService({ issues: 60, prEvery: 0, commentsFor: () => 0, latencyMs: 20 }, { sseMaxStreamsPerTenant: 0 });
    base = ['--server', svc.server, 'jobs'];
  });
  afterAll(async () => svc?.close());

  it('watch follows a job by polling when its event stream is refused; list and show find it', async () => {
    const jobId = await startJob(10);
    const watch = await cli([...base, 'watch', jobId, '--json']).done;
    expect(watch.code, watch.stderr).toBe(0);
    const final = JSON.parse(lastLine(watch.stdout));
    expect(final).toMatchObject({ job_id: jobId, status: 'completed', progress: { processed_items: 60, total_items: 60 } });
    expect(watch.stderr).toMatch(/^completed: github octo-org\/hello-world/m);
    expect(watch.stderr).not.toContain(ESC);

    const list = await cli([...base, 'list', '--json', '--status', 'completed']).done;
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).jobs.map((j: { job_id: string }) => j.job_id)).toContain(jobId);
    const table = await cli([...base, 'list']).done;
    expect(table.stdout).toMatch(/^JOB\s+STATUS\s+SOURCE\s+SCOPE\s+DONE\s+CREATED$/m);
    expect(table.stdout).toMatch(new RegExp(`^${jobId}\\s+completed\\s+github\\s+octo-org/hello-world\\s+100\\.0%`, 'm'));

    const show = await cli([...base, 'show', jobId, '--json']).done;
    expect(JSON.parse(show.stdout)).toEqual(await (await fetch(`${svc.server}/api/imports/${jobId}`)).json());
    const human = await cli([...base, 'show', jobId]).done;
    expect(human.stdout).toMatch(/60 items: 60 stored, 0 unchanged, 0 failed/);
  });

  it('cancel stops a running job (a watcher exits 2); a second cancel is refused with exit 3', async () => {
    const jobId = await startStalledJob();
    const watch = cli([...base, 'watch', jobId]);
    await svc.harness.waitFor(jobId, (j) => j.status === 'processing' && j.progress.processed_items > 0);
    const cancel = await cli([...base, 'cancel', jobId]).done;
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^cancelled job ${jobId}`));
    const watched = await watch.done;
    expect(watched.code, watched.stderr).toBe(2);
    expect(watched.stdout).toMatch(/^cancelled: /m);
    const again = await cli([...base, 'cancel', jobId]).done;
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/409 JOB_NOT_CANCELLABLE/);
    const missing = await cli([...base, 'show', randomUUID()]).done;
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/404 JOB_NOT_FOUND/);
  });

  it('Ctrl-C stops watching, not the job: exit 130 and how to resume', async () => {
    const jobId = await startStalledJob();
    const watch = cli([...base, 'watch', jobId]);
    await watch.waitForStderr(/^processing /m);
    watch.child.kill('SIGINT');
    const { code, stderr } = await watch.done;
    expect(code).toBe(130);
    expect(stderr).toContain(`stopped watching job ${jobId}; it goes on running.`);
    expect(stderr).toContain(`integration-service jobs watch ${jobId}`);
    const job = await svc.harness.deps.jobs.get(jobId, null);
    expect(job?.status).toBe('processing');
    await fetch(`${svc.server}/api/imports/${jobId}`, { method: 'DELETE' });
  });
});
