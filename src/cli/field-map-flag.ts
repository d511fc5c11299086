/** `--map <field=ref>` (repeatable): options.field_map from the command line, checked before anything is sent. */
import { Option, type Command } from 'commander';
import { MAPPED_FIELDS, type MappedField } from '../connectors/item-depth.js';
import { UsageError } from './flags.js';

export function addFieldMapFlag(cmd: Command): void {
  cmd.addOption(
    new Option('--map <field=ref>', `fill a normalized field from a custom field (id or display name); field one of ${MAPPED_FIELDS.join(', ')}; repeatable`)
      .argParser((raw: string, prev: string[] | undefined) => [...(prev ?? []), raw]),
  );
}

export function readFieldMap(cmd: Command): Partial<Record<MappedField, string>> | undefined {
  const given = cmd.opts<{ map?: string[] }>().map;
  if (!given?.length) return undefined;
  const out: Partial<Record<MappedField, string>> = {};
  for (const entry of given) {
    const at = entry.indexOf('=');
    const field = entry.slice(0, at).trim();
    const ref = entry.slice(at + 1).trim();
    if (at < 0 || !(MAPPED_FIELDS as readonly string[]).includes(field) || ref === '') {
      throw new UsageError(`--map takes <field>=<custom field id or name> with field one of ${MAPPED_FIELDS.join(', ')}: got "${entry}"`);
    }
    out[field as MappedField] = ref;
  }
  return out;
}
