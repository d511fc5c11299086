/** `import <source> …flags… [--wait] [--json]`: POST /api/imports, optionally followed to its end. */
import { Command } from 'commander';
import { Type, type TObject } from 'typebox';
import { SOURCE_TYPES, type ConnectorModule, type SourceType } from '../../connectors/connector.js';
import { ImportEnvelope, ImportOptionsSchema } from '../../http/schemas/import-body.js';
import { unwrap, type ImportRequest } from '../../client/client.js';
import { contextFrom, type GlobalOptions } from '../context.js';
import { EXIT } from '../errors.js';
import { explainRefusal } from '../refusal.js';
import { addSchemaFlags, readSchemaFlags } from '../source-flags.js';
import { addFieldMapFlag, readFieldMap } from '../field-map-flag.js';
import { processIo, waitForJob } from '../wait.js';
import type { Action } from '../program.js';

/** The body's top-level fields a user may set (source_type is the subcommand, the rest are flags). */
export const TOP_LEVEL = Type.Object({
  tenant_id: ImportEnvelope.properties.tenant_id,
  callback_url: ImportEnvelope.properties.callback_url,
  correlation_id: ImportEnvelope.properties.correlation_id,
}) as TObject;

const VENDOR: Record<SourceType, string> = { jira: 'Jira', servicenow: 'ServiceNow', github: 'GitHub', gitlab: 'GitLab' };

export function importCommand(connectors: Record<SourceType, ConnectorModule>, action: Action): Command {
  const cmd = new Command('import').description('start an import job; one subcommand per source (import github --help lists its flags)');
  for (const st of SOURCE_TYPES) {
    const module = connectors[st];
    const sub = cmd.command(st).description(`import from ${VENDOR[st]}`);
    const config = addSchemaFlags(sub, module.configSchema, module.secretFields);
    const options = addSchemaFlags(sub, ImportOptionsSchema, [], ['field_map']);
    addFieldMapFlag(sub);
    const top = addSchemaFlags(sub, TOP_LEVEL);
    sub
      .option('--wait', 'follow the job to its end with a progress bar; exit 0 completed, 1 failed, 2 cancelled')
      .option('--json', 'print JSON: the created job, or with --wait the final job as the last line');
    sub.action(
      action(async () => {
        const opts = sub.opts<{ wait?: boolean; json?: boolean }>();
        const ctx = contextFrom(sub.optsWithGlobals<GlobalOptions>());
        const fieldMap = readFieldMap(sub);
        const optionValues = { ...(await readSchemaFlags(sub, options)), ...(fieldMap && { field_map: fieldMap }) };
        const body = {
          source_type: st,
          source_config: await readSchemaFlags(sub, config),
          ...(Object.keys(optionValues).length > 0 && { options: optionValues }),
          ...(await readSchemaFlags(sub, top)),
        } as ImportRequest;
        let job;
        try {
          job = unwrap(await ctx.client.POST('/api/imports', { body }));
        } catch (err) {
          throw explainRefusal(err, 'the import', module.secretFields, `integration-service import ${st} --help`);
        }
        const { stdout, stderr } = processIo;
        if (!opts.wait) {
          if (opts.json) stdout.write(`${JSON.stringify(job)}\n`);
          else stdout.write(`started job ${job.job_id} (${job.status})\n  follow it: integration-service jobs watch ${job.job_id}\n`);
          return EXIT.completed;
        }
        stderr.write(`job ${job.job_id}: ${st} ${job.source.scope}\n`);
        return waitForJob(ctx, job.job_id, { json: opts.json ?? false });
      }),
    );
  }
  return cmd;
}
