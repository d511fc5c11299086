/**
 * `import … --wait` and `jobs watch`: follow a job with a live view, then print a summary and
 * return the exit code of its outcome. Ctrl-C stops watching, not the job (exit 130), and says
 * how to pick it up again. With --json the final job JSON is the last line of stdout and every
 * human line goes to stderr.
 */
import type { Job } from '../client/client.js';
import { followJob } from '../client/follow.js';
import { DEFAULT_POLICY } from '../policy.js';
import type { Context } from './context.js';
import { EXIT } from './errors.js';
import { describeSource, duration, elapsedSeconds } from './format.js';
import { createView } from './progress-view.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

export function exitCodeOf(job: Job): number {
  if (job.status === 'completed') return EXIT.completed;
  if (job.status === 'cancelled') return EXIT.cancelled;
  return EXIT.failed;
}

export function summary(job: Job): string {
  const p = job.progress;
  const lines = [`${job.status}: ${describeSource(job)} in ${duration(elapsedSeconds(job))}`];
  const parts = [`${p.successful_items} stored`, `${p.skipped_items} unchanged`, `${p.failed_items} failed`];
  lines.push(`  ${p.processed_items}${p.total_items > p.processed_items ? ` of ${p.total_items}` : ''} items: ${parts.join(', ')}`);
  if (p.failed_items > 0) lines.push(`  why items failed: integration-service jobs show ${job.job_id}`);
  if (job.error_code) lines.push(`  error: ${job.error_code}: ${job.error_message ?? ''}`.trimEnd());
  lines.push(`  job ${job.job_id}`);
  return lines.join('\n') + '\n';
}

export async function waitForJob(ctx: Context, jobId: string, opts: { json: boolean }, io: Io = processIo): Promise<number> {
  const policy = DEFAULT_POLICY.cli;
  const view = createView(io.stderr, policy.plainLineMs);
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  let job: Job | null;
  try {
    job = await followJob(ctx.client, jobId, {
      pollMs: policy.pollMs,
      reconnectMs: policy.reconnectMs,
      signal: controller.signal,
      onJob: (j) => view.update(j),
    });
  } finally {
    view.stop();
    process.removeListener('SIGINT', interrupt);
  }
  if (!job) {
    io.stderr.write(
      `stopped watching job ${jobId}; it goes on running.\n` +
        `  watch it again: integration-service jobs watch ${jobId}\n` +
        `  cancel it:      integration-service jobs cancel ${jobId}\n`,
    );
    return EXIT.interrupted;
  }
  (opts.json ? io.stderr : io.stdout).write(summary(job));
  if (opts.json) io.stdout.write(`${JSON.stringify(job)}\n`);
  return exitCodeOf(job);
}
