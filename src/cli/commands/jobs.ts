/** `jobs list|show|watch|cancel`. */
import { Command } from 'commander';
import type { TObject } from 'typebox';
import { JobListQuery } from '../../http/schemas/job.js';
import { unwrap, type Job } from '../../client/client.js';
import { contextFrom, type Context, type GlobalOptions } from '../context.js';
import { EXIT } from '../errors.js';
import { describeSource, duration, table } from '../format.js';
import { addSchemaFlags, readSchemaFlags } from '../source-flags.js';
import { processIo, summary, waitForJob } from '../wait.js';
import type { Action } from '../program.js';

/** Failed items `jobs show` lists; the rest are a GET /api/imports/{id}/items?action=failed away. */
const SHOWN_FAILURES = 20;

export function jobsCommand(action: Action): Command {
  const cmd = new Command('jobs').description('list, show, watch and cancel import jobs');
  const ctxOf = (c: Command): Context => contextFrom(c.optsWithGlobals<GlobalOptions>());
  const json = (c: Command) => c.opts<{ json?: boolean }>().json === true;
  const { stdout, stderr } = processIo;

  const list = cmd.command('list').description('jobs, newest first').option('--json', 'print the API response as JSON');
  const filters = addSchemaFlags(list, JobListQuery as unknown as TObject);
  list.action(
    action(async () => {
      const query = await readSchemaFlags(list, filters);
      const page = unwrap(await ctxOf(list).client.GET('/api/imports', { params: { query } }));
      if (json(list)) {
        stdout.write(`${JSON.stringify(page)}\n`);
        return EXIT.completed;
      }
      const rows = page.jobs.map((j) => [j.job_id, j.status, j.source_type, j.source.scope, `${j.progress.percentage.toFixed(1)}%`, j.created_at]);
      stdout.write(table(['JOB', 'STATUS', 'SOURCE', 'SCOPE', 'DONE', 'CREATED'], rows));
      if (page.next_cursor) stderr.write(`${page.total} jobs in all; next page: --cursor ${page.next_cursor}\n`);
      return EXIT.completed;
    }),
  );

  const show = cmd.command('show').argument('<job_id>').description('one job, with the items that failed and why').option('--json', 'print the job as JSON');
  show.action(
    action(async (jobId: string) => {
      const ctx = ctxOf(show);
      const job = unwrap(await ctx.client.GET('/api/imports/{job_id}', { params: { path: { job_id: jobId } } }));
      if (json(show)) {
        stdout.write(`${JSON.stringify(job)}\n`);
        return EXIT.completed;
      }
      stdout.write(await describeJob(ctx, job));
      return EXIT.completed;
    }),
  );

  const watch = cmd.command('watch').argument('<job_id>').description('follow a job to its end (exit 0 completed, 1 failed, 2 cancelled)').option('--json', 'the final job as the last line of stdout');
  watch.action(action(async (jobId: string) => waitForJob(ctxOf(watch), jobId, { json: json(watch) })));

  const cancel = cmd.command('cancel').argument('<job_id>').description('cancel a pending or running job').option('--json', 'print the cancelled job as JSON');
  cancel.action(
    action(async (jobId: string) => {
      const job = unwrap(await ctxOf(cancel).client.DELETE('/api/imports/{job_id}', { params: { path: { job_id: jobId } } }));
      stdout.write(json(cancel) ? `${JSON.stringify(job)}\n` : `cancelled job ${job.job_id} (${describeSource(job)})\n`);
      return EXIT.completed;
    }),
  );
  return cmd;
}

async function describeJob(ctx: Context, job: Job): Promise<string> {
  const p = job.progress;
  let text = summary(job);
  if (job.status === 'pending' || job.status === 'processing') {
    text += `  progress: ${p.processed_items}/${p.total_items || '?'} items (${p.percentage.toFixed(1)}%), ETA ${duration(p.estimated_time_remaining)}\n`;
  }
  if (p.failed_items > 0) {
    const failed = unwrap(
      await ctx.client.GET('/api/imports/{job_id}/items', { params: { path: { job_id: job.job_id }, query: { action: 'failed', limit: SHOWN_FAILURES } } }),
    );
    text += '  failed items:\n';
    for (const item of failed.items) text += `    ${item.key ?? item.external_id}: ${item.error ?? 'no reason given'}\n`;
    if (failed.next_cursor) text += `    … ${p.failed_items - failed.items.length} more: GET /api/imports/${job.job_id}/items?action=failed\n`;
  }
  return text;
}

