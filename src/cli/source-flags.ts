/**
 * The flags of `import <source>` and `syncs create <source>`, derived from the connectors' own
 * source_config schemas (and the import options schema), so a field added to a connector is a
 * flag without touching the CLI: `base_url` → `--base-url`, a secret field `token` →
 * `--token-env NAME` / `--token-stdin`, a boolean → `--flag` (or `--no-flag` when it defaults to true).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TObject } from 'typebox';
import { UsageError } from './errors.js';
import { kebab, readStdin } from './secrets.js';

type Kind = 'string' | 'integer' | 'boolean' | 'id';

export interface FieldFlag {
  field: string;
  kind: Kind;
  secret: boolean;
  /** commander's attribute names: the value, and for secrets the -stdin switch */
  attr: string;
  stdinAttr?: string;
}

interface PropSchema {
  type?: string;
  anyOf?: PropSchema[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

function kindOf(p: PropSchema): { kind: Kind; choices?: string[] } {
  if (p.enum) return { kind: 'string', choices: p.enum.map(String) };
  if (p.anyOf?.every((a) => a.const !== undefined)) return { kind: 'string', choices: p.anyOf.map((a) => String(a.const)) };
  if (p.anyOf?.some((a) => a.type === 'integer') && p.anyOf.some((a) => a.type === 'string')) return { kind: 'id' };
  if (p.type === 'integer' || p.type === 'number') return { kind: 'integer' };
  if (p.type === 'boolean') return { kind: 'boolean' };
  return { kind: 'string' };
}

function integer(flag: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${flag} takes a whole number, not "${value}"`);
    return Number(value);
  };
}

/** Adds one option per schema property to `cmd`; returns how to read them back. */
export function addSchemaFlags(cmd: Command, schema: TObject, secretFields: readonly string[] = [], skip: readonly string[] = []): FieldFlag[] {
  const required = new Set((schema as { required?: string[] }).required ?? []);
  const out: FieldFlag[] = [];
  for (const [field, raw] of Object.entries(schema.properties as Record<string, PropSchema>)) {
    if (skip.includes(field)) continue;
    const name = kebab(field);
    const need = required.has(field) ? ' (required)' : '';
    const about = (raw.description ?? field.replaceAll('_', ' ')) + need;
    if (secretFields.includes(field)) {
      const env = new Option(`--${name}-env <NAME>`, `environment variable holding ${field}${need}`);
      const stdin = new Option(`--${name}-stdin`, `read ${field} from stdin`);
      cmd.addOption(env).addOption(stdin);
      out.push({ field, kind: 'string', secret: true, attr: env.attributeName(), stdinAttr: stdin.attributeName() });
      continue;
    }
    const { kind, choices } = kindOf(raw);
    let option: Option;
    if (kind === 'boolean') {
      option = raw.default === true ? new Option(`--no-${name}`, `turn off ${field.replaceAll('_', ' ')}`) : new Option(`--${name}`, about);
    } else {
      const placeholder = kind === 'integer' ? 'n' : kind === 'id' ? 'id|path' : 'value';
      option = new Option(`--${name} <${placeholder}>`, about);
      if (choices) option.choices(choices);
      if (kind === 'integer') option.argParser(integer(`--${name}`));
      if (raw.default !== undefined) option.default(raw.default);
      if (required.has(field)) option.makeOptionMandatory();
    }
    cmd.addOption(option);
    out.push({ field, kind, secret: false, attr: option.attributeName() });
  }
  return out;
}

/**
 * The fields given on this command line (defaults are the service's business and not sent),
 * secrets read from their environment variable or stdin.
 */
export async function readSchemaFlags(cmd: Command, flags: FieldFlag[], env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const opts = cmd.opts();
  const out: Record<string, unknown> = {};
  const fromStdin = flags.filter((f) => f.stdinAttr && opts[f.stdinAttr]);
  if (fromStdin.length > 1) throw new UsageError(`only one secret can come from stdin (${fromStdin.map((f) => `--${kebab(f.field)}-stdin`).join(', ')})`);
  for (const f of flags) {
    if (f.secret) {
      const varName = opts[f.attr] as string | undefined;
      if (varName !== undefined && f.stdinAttr && opts[f.stdinAttr]) {
        throw new UsageError(`give --${kebab(f.field)}-env or --${kebab(f.field)}-stdin, not both`);
      }
      if (varName !== undefined) {
        const value = env[varName];
        if (!value) throw new UsageError(`--${kebab(f.field)}-env ${varName}: that environment variable is not set`);
        out[f.field] = value;
      } else if (f.stdinAttr && opts[f.stdinAttr]) {
        const value = await readStdin();
        if (!value) throw new UsageError(`--${kebab(f.field)}-stdin: nothing was read from stdin`);
        out[f.field] = value;
      }
      continue;
    }
    if (cmd.getOptionValueSource(f.attr) !== 'cli') continue;
    const value = opts[f.attr];
    out[f.field] = f.kind === 'id' && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** `/source_config/api_token` → `--api-token-env`: the flag a refusal from the service is about. */
export function flagForPath(path: string, secretFields: readonly string[]): string | null {
  const m = /^\/?(?:source_config|options|schedule)?\/?([a-z_]+)/.exec(path);
  if (!m?.[1]) return null;
  const field = m[1];
  return secretFields.includes(field) ? `--${kebab(field)}-env` : `--${kebab(field)}`;
}
