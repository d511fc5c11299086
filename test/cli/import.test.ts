/**
 * `integration-service import … --wait` as a child process against a live service and the GitHub
 * fake: exit codes 0/1/2/3, the final job JSON as the last stdout line, plain progress lines
 * (no escape codes) off a terminal, a bar redrawn in place on a pseudo-terminal, secrets only
 * from the environment.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, ESC, cli, lastLine, startCliService, type CliService } from './support.js';

/** A loopback port nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const TOKEN = 'ghp_cliTestToken0123456789abcdefABCDEF';

describe('import --wait', { timeout: 120_000 }, () => {
  let svc: CliService;
  let source: string[];

  beforeAll(async () => {
    // Slow enough that a run spans several progress reports.
    svc = await startCliService({ issues: 120, prEvery: 0, commentsFor: () => 0, token: TOKEN, latencyMs: 40 });
    source = ['--server', svc.server, 'import', 'github', '--base-url', svc.github.baseUrl, '--owner', 'octo-org', '--repo', 'hello-world'];
  });
  afterAll(async () => svc?.close());

  it('completes: exit 0, the final job JSON as the last stdout line, plain progress lines, the token taken from the environment', async () => {
    const run = cli([...source, '--token-env', 'GH_TOKEN', '--batch-size', '20', '--wait', '--json'], { GH_TOKEN: TOKEN });
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    const job = JSON.parse(lastLine(stdout));
    expect(job).toMatchObject({ status: 'completed', source_type: 'github' });
    expect(job.progress).toMatchObject({ total_items: 120, processed_items: 120, percentage: 100 });
    // --json: stdout is the job alone; the progress and the summary went to stderr.
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^completed: github octo-org\/hello-world .* in \d+/m);
    expect(stderr).toMatch(/120 items: 120 stored, 0 unchanged, 0 failed/);
    expect(stderr).toMatch(/^(pending|processing) \d+\/(\d+|\?) items \(\d+\.\d%\)/m);
    // Not a terminal: no escape codes, no carriage returns redrawing a line.
    expect(stdout + stderr).not.toContain(ESC);
    expect(stdout + stderr).not.toContain('\r');
    // The token went from the environment to the source, and nowhere in the CLI's output.
    expect(svc.github.requests.some((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(stdout + stderr).not.toContain(TOKEN);
    expect(run.child.spawnargs.join(' ')).not.toContain(TOKEN);
  });

  it('a source that refuses the credentials fails the job: exit 1, the error in the summary, no credential printed', async () => {
    const wrong = 'ghp_wrongWrongWrong0123456789abcdefABCD';
    const { code, stdout, stderr } = await cli([...source, '--token-env', 'GH_TOKEN', '--wait', '--json'], { GH_TOKEN: wrong }).done;
    expect(code, stderr).toBe(1);
    const job = JSON.parse(lastLine(stdout));
    expect(job).toMatchObject({ status: 'failed', error_code: 'SOURCE_AUTH_FAILED' });
    expect(stderr).toMatch(/error: SOURCE_AUTH_FAILED/);
    expect(stdout + stderr).not.toContain(wrong);
  });

  it('a token piped on stdin is used (--token-stdin)', async () => {
    const before = svc.github.requests.length;
    const { code, stdout, stderr } = await cli([...source, '--token-stdin', '--dry-run', '--wait', '--json'], {}, `${TOKEN}\n`).done;
    expect(code, stderr).toBe(0);
    expect(JSON.parse(lastLine(stdout)).status).toBe('completed');
    expect(svc.github.requests.slice(before).every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('cancelled while waiting: exit 2 and the cancelled job as the last line', async () => {
    // Page 4 hangs until the job is cancelled: the cancel cannot come too late.
    svc.github.inject({ kind: 'slow', delayMs: 30_000, match: /[?&]page=4(&|$)/ });
    const run = cli([...source, '--token-env', 'GH_TOKEN', '--batch-size', '5', '--wait', '--json'], { GH_TOKEN: TOKEN });
    const [, jobId] = await run.waitForStderr(/^job ([0-9a-f-]{36})/m);
    await svc.harness.waitFor(jobId!, (j) => j.status === 'processing' && j.progress.processed_items > 0);
    const res = await fetch(`${svc.server}/api/imports/${jobId}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(2);
    expect(JSON.parse(lastLine(stdout))).toMatchObject({ job_id: jobId, status: 'cancelled' });
    expect(stderr).toMatch(/^cancelled: /m);
  });

  it('a secret given on the command line is refused with the -env form, and not echoed', async () => {
    for (const arg of [['--token', 'abc123secret'], ['--token=abc123secret'], ['--api-key', 'abc123secret']]) {
      const { code, stdout, stderr } = await cli([...source, ...arg]).done;
      expect(code).toBe(3);
      expect(stderr).toMatch(arg[0]!.startsWith('--api-key') ? /--api-key-env NAME/ : /--token-env NAME/);
      expect(stdout + stderr).not.toContain('abc123secret');
    }
  });

  it('usage errors: exit 3 with a usage message on stderr, nothing sent', async () => {
    const before = await svc.harness.deps.jobs.list({ limit: 500, tenant_id: null });
    const missing = await cli(['--server', svc.server, 'import', 'github', '--repo', 'x']).done;
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/--owner/);
    expect(missing.stderr).toMatch(/usage: integration-service import github \[options\]/);
    const unknownSource = await cli(['--server', svc.server, 'import', 'trello']).done;
    expect(unknownSource.code).toBe(3);
    expect(unknownSource.stderr).toMatch(/[Uu]sage/);
    const unset = await cli([...source, '--token-env', 'NOT_SET_ANYWHERE']).done;
    expect(unset.code).toBe(3);
    expect(unset.stderr).toMatch(/NOT_SET_ANYWHERE.*not set/);
    // The service's own refusal is reported against the flag it is about.
    const refused = await cli(['--server', svc.server, 'import', 'github', '--owner', 'not an owner!', '--repo', 'x']).done;
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/VALIDATION_ERROR/);
    expect(refused.stderr).toMatch(/--owner: /);
    expect((await svc.harness.deps.jobs.list({ limit: 500, tenant_id: null })).total).toBe(before.total);
  });

  it('an unreachable service: exit 3 naming the server', async () => {
    const port = await closedPort();
    const { code, stderr } = await cli(['--server', `http://127.0.0.1:${port}`, 'import', 'github', '--owner', 'a', '--repo', 'b', '--wait']).done;
    expect(code).toBe(3);
    expect(stderr).toContain(`cannot reach the service at http://127.0.0.1:${port}: connect ECONNREFUSED`);
  });

  it('on a pseudo-terminal the bar is redrawn in place and shows the percentage, items, rate and ETA', async () => {
    let hasScript = true;
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      hasScript = false;
    }
    expect(hasScript, 'util-linux `script` is needed for the pseudo-terminal test').toBe(true);
    // A page that takes 1.5 s: the run lasts long enough for a measured rate mid-way.
    svc.github.inject({ kind: 'slow', delayMs: 1500, match: /[?&]page=6(&|$)/ });
    const args = [...CLI_ENTRY, ...source, '--token-env', 'GH_TOKEN', '--batch-size', '5', '--wait'];
    const command = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    // script gives the command a pseudo-terminal and copies what it draws to its own stdout.
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, GH_TOKEN: TOKEN, COLUMNS: '120' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, out).toBe(0);
    // Every redraw returns to the line's start (an escape sequence), without a new line.
    const frames = out.split(/\u001b\[\d*G/).filter((f) => /\[[█░]+\] \d+\.\d%/.test(f));
    expect(frames.length, out).toBeGreaterThan(2);
    const barLines = out.split('\n').filter((l) => /\[[█░]+\] \d+\.\d%/.test(l));
    expect(barLines.length).toBeLessThan(frames.length);
    expect(out).toMatch(/\[█+\] 100\.0% \| 120\/120 items \| [\d.–]+ items\/s \| ETA 0s/);
    expect(frames.some((f) => /\d+\/120 items \| [\d.]+ items\/s \| ETA \d+/.test(f)), out).toBe(true);
    expect(out).toMatch(/completed: github octo-org\/hello-world/);
  });
});
