/** `items export [--source-type] [--project] … --format ndjson|csv`. */
import { Command, Option } from 'commander';
import { Type, type TObject } from 'typebox';
import { ItemListQuery } from '../../http/schemas/item.js';
import { DEFAULT_POLICY } from '../../policy.js';
import { contextFrom, type GlobalOptions } from '../context.js';
import { EXIT } from '../errors.js';
import { exportItems, type ExportFormat } from '../export.js';
import { addSchemaFlags, readSchemaFlags } from '../source-flags.js';
import { processIo } from '../wait.js';
import type { Action } from '../program.js';

/** The list filters; paging is the export's own business. */
const FILTERS = Type.Omit(ItemListQuery, ['limit', 'cursor']) as unknown as TObject;

export function itemsCommand(action: Action): Command {
  const cmd = new Command('items').description('the imported, normalized work items');
  const exp = cmd
    .command('export')
    .description('stream every item to stdout (NDJSON: one JSON item per line; CSV: RFC 4180 with a header row)')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'));
  const filters = addSchemaFlags(exp, FILTERS);
  exp.action(
    action(async () => {
      const ctx = contextFrom(exp.optsWithGlobals<GlobalOptions>());
      const query = await readSchemaFlags(exp, filters);
      const format = exp.opts<{ format: ExportFormat }>().format;
      await exportItems(ctx.client, query, format, processIo.stdout, DEFAULT_POLICY.cli.exportPageSize);
      return EXIT.completed;
    }),
  );
  return cmd;
}
