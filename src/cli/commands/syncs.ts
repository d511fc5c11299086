/** `syncs list|create|pause|resume|run|delete` over /api/syncs (CONTRACT §11), through the typed client. */
import { Command, InvalidArgumentError } from 'commander';
import { Type, type TObject } from 'typebox';
import { SOURCE_TYPES, type ConnectorModule, type SourceType } from '../../connectors/connector.js';
import { ImportOptionsSchema } from '../../http/schemas/import-body.js';
import { SyncListQuery } from '../../http/schemas/sync.js';
import { unwrap, type SyncRequest } from '../../client/client.js';
import { contextFrom, type Context, type GlobalOptions } from '../context.js';
import { EXIT } from '../errors.js';
import { duration, table } from '../format.js';
import { explainRefusal } from '../refusal.js';
import { addSchemaFlags, readSchemaFlags } from '../source-flags.js';
import { processIo, waitForJob } from '../wait.js';
import { TOP_LEVEL } from './import.js';
import type { Action } from '../program.js';

/** What a sync's runs take from `options` (mode, since and dry_run are the schedule's). */
const SYNC_OPTIONS = Type.Pick(ImportOptionsSchema, ['batch_size', 'include_comments', 'include_history', 'download_attachments']) as unknown as TObject;
const SYNC_TOP = Type.Omit(TOP_LEVEL, ['correlation_id']) as unknown as TObject;

/** `90`, `90s`, `15m`, `6h`, `1d` → seconds. */
export function parseSeconds(flag: string) {
  return (value: string): number => {
    const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
    if (!m) throw new InvalidArgumentError(`${flag} takes seconds or a duration such as 90s, 15m, 6h, 1d; not "${value}"`);
    return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  };
}

export function syncsCommand(connectors: Record<SourceType, ConnectorModule>, action: Action): Command {
  const cmd = new Command('syncs').description('imports that run on a schedule: list, create, pause, resume, run now, delete');
  const ctxOf = (c: Command): Context => contextFrom(c.optsWithGlobals<GlobalOptions>());
  const json = (c: Command) => c.opts<{ json?: boolean }>().json === true;
  const { stdout, stderr } = processIo;

  const list = cmd.command('list').description('syncs, newest first').option('--json', 'print the API response as JSON');
  const filters = addSchemaFlags(list, SyncListQuery as unknown as TObject);
  list.action(
    action(async () => {
      const query = await readSchemaFlags(list, filters);
      const page = unwrap(await ctxOf(list).client.GET('/api/syncs', { params: { query } }));
      if (json(list)) {
        stdout.write(`${JSON.stringify(page)}\n`);
        return EXIT.completed;
      }
      const rows = page.syncs.map((s) => [
        s.sync_id, s.status, s.source_type, s.source.scope, duration(s.schedule.every_seconds), s.last_status ?? '–', s.next_run_at ?? '–',
      ]);
      stdout.write(table(['SYNC', 'STATUS', 'SOURCE', 'SCOPE', 'EVERY', 'LAST RUN', 'NEXT RUN'], rows));
      if (page.next_cursor) stderr.write(`more syncs: --cursor ${page.next_cursor}\n`);
      return EXIT.completed;
    }),
  );

  const create = cmd.command('create').description('save an import that runs every --every (create github --help lists its flags)');
  for (const st of SOURCE_TYPES) {
    const module = connectors[st];
    const sub = create.command(st).description(`a sync of a ${st} scope`);
    const config = addSchemaFlags(sub, module.configSchema, module.secretFields);
    const options = addSchemaFlags(sub, SYNC_OPTIONS);
    const top = addSchemaFlags(sub, SYNC_TOP);
    sub
      .requiredOption('--every <duration>', 'how often it runs: seconds, or 90s, 15m, 6h, 1d', parseSeconds('--every'))
      .option('--full-every <duration>', 'a full run (which finds deletions) at least this often [1d]', parseSeconds('--full-every'))
      .option('--json', 'print the created sync as JSON');
    sub.action(
      action(async () => {
        const o = sub.opts<{ every: number; fullEvery?: number }>();
        const ctx = ctxOf(sub);
        const optionValues = await readSchemaFlags(sub, options);
        const body = {
          source_type: st,
          source_config: await readSchemaFlags(sub, config),
          ...(Object.keys(optionValues).length > 0 && { options: optionValues }),
          schedule: { every_seconds: o.every, ...(o.fullEvery !== undefined && { full_every_seconds: o.fullEvery }) },
          ...(await readSchemaFlags(sub, top)),
        } as SyncRequest;
        let sync;
        try {
          sync = unwrap(await ctx.client.POST('/api/syncs', { body }));
        } catch (err) {
          throw explainRefusal(err, 'the sync', module.secretFields, `integration-service syncs create ${st} --help`);
        }
        if (json(sub)) {
          stdout.write(`${JSON.stringify(sync)}\n`);
          return EXIT.completed;
        }
        stdout.write(`created sync ${sync.sync_id} (${st} ${sync.source.scope}, every ${duration(sync.schedule.every_seconds)})\n`);
        if (sync.webhook_url) stdout.write(`  webhook URL:    ${sync.webhook_url}\n`);
        // The service shows this secret once; the vendor's webhook settings need it.
        if (sync.webhook_secret) stdout.write(`  webhook secret: ${sync.webhook_secret}  (shown once: paste it into ${st}'s webhook settings)\n`);
        return EXIT.completed;
      }),
    );
  }

  for (const [name, status, verb] of [['pause', 'paused', 'paused'], ['resume', 'active', 'resumed']] as const) {
    const sub = cmd.command(name).argument('<sync_id>').description(`${name} a sync`).option('--json', 'print the sync as JSON');
    sub.action(
      action(async (syncId: string) => {
        const sync = unwrap(
          await ctxOf(sub).client.PATCH('/api/syncs/{sync_id}', { params: { path: { sync_id: syncId } }, body: { status } }),
        );
        stdout.write(json(sub) ? `${JSON.stringify(sync)}\n` : `${verb} sync ${sync.sync_id}\n`);
        return EXIT.completed;
      }),
    );
  }

  const run = cmd
    .command('run')
    .argument('<sync_id>')
    .description('run a sync now (also a paused one, once)')
    .option('--wait', 'follow the run to its end (exit 0 completed, 1 failed, 2 cancelled)')
    .option('--json', 'print the run\'s job as JSON (with --wait: the final job as the last line)');
  run.action(
    action(async (syncId: string) => {
      const ctx = ctxOf(run);
      const job = unwrap(await ctx.client.POST('/api/syncs/{sync_id}/run', { params: { path: { sync_id: syncId } } }));
      const o = run.opts<{ wait?: boolean; json?: boolean }>();
      if (o.wait) {
        stderr.write(`job ${job.job_id}: run of sync ${syncId}\n`);
        return waitForJob(ctx, job.job_id, { json: o.json ?? false });
      }
      stdout.write(o.json ? `${JSON.stringify(job)}\n` : `started job ${job.job_id}\n  follow it: integration-service jobs watch ${job.job_id}\n`);
      return EXIT.completed;
    }),
  );

  const del = cmd.command('delete').argument('<sync_id>').description('stop a sync for good (its items and its runs\' jobs stay)');
  del.action(
    action(async (syncId: string) => {
      unwrap(await ctxOf(del).client.DELETE('/api/syncs/{sync_id}', { params: { path: { sync_id: syncId } } }));
      stdout.write(`deleted sync ${syncId}\n`);
      return EXIT.completed;
    }),
  );
  return cmd;
}
