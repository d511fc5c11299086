/** `people list [--q] [--source-type] …`: the tenant's persons and the source accounts linked to each (issue 12). */
import { Command } from 'commander';
import type { TObject } from 'typebox';
import { PeopleListQuery } from '../../http/schemas/people.js';
import { unwrap } from '../../client/client.js';
import { contextFrom, type GlobalOptions } from '../context.js';
import { EXIT } from '../errors.js';
import { table } from '../format.js';
import { addSchemaFlags, readSchemaFlags } from '../source-flags.js';
import { processIo } from '../wait.js';
import type { Action } from '../program.js';

export function peopleCommand(action: Action): Command {
  const cmd = new Command('people').description('the persons behind source accounts (linked by verified email or by hand)');
  const list = cmd.command('list').description('persons by name, with their accounts').option('--json', 'print the API response as JSON');
  const filters = addSchemaFlags(list, PeopleListQuery as unknown as TObject);
  list.action(
    action(async () => {
      const query = await readSchemaFlags(list, filters);
      const page = unwrap(await contextFrom(list.optsWithGlobals<GlobalOptions>()).client.GET('/api/people', { params: { query } }));
      if (list.opts<{ json?: boolean }>().json === true) {
        processIo.stdout.write(`${JSON.stringify(page)}\n`);
        return EXIT.completed;
      }
      const rows = page.people.map((p) => [
        p.id, p.display_name ?? '-', p.primary_email ?? '-',
        p.accounts.map((a) => `${a.source_type}:${a.external_id} (${a.linked_by})`).join(', '),
      ]);
      processIo.stdout.write(table(['PERSON', 'NAME', 'EMAIL', 'ACCOUNTS'], rows));
      if (page.next_cursor) processIo.stderr.write(`next page: --cursor ${page.next_cursor}\n`);
      return EXIT.completed;
    }),
  );
  return cmd;
}
