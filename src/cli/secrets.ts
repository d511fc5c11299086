/**
 * Credentials reach the CLI only through the environment or stdin (`--token-env NAME`,
 * `--token-stdin`), never argv, where `ps` and shell history would keep them.
 */
import { UsageError } from './errors.js';

export const kebab = (field: string): string => field.replaceAll('_', '-');

/**
 * Refuses `--token abc`, `--token=abc` and the like for every secret field, naming the form to use.
 * Runs before parsing, so the value is never echoed by an "unknown option" message either.
 */
export function refuseSecretArguments(argv: readonly string[], secretFields: Iterable<string>): void {
  const flags = new Map<string, string>([['--api-key', '--api-key-env NAME']]);
  for (const field of secretFields) flags.set(`--${kebab(field)}`, `--${kebab(field)}-env NAME (or --${kebab(field)}-stdin)`);
  for (const arg of argv) {
    if (arg === '--') break;
    const name = arg.split('=', 1)[0]!;
    const instead = flags.get(name);
    if (instead) {
      throw new UsageError(
        `${name} is not accepted on the command line: a secret in argv shows in the process list and shell history. ` +
          `Put it in an environment variable and pass ${instead}.`,
      );
    }
  }
}

/** Reads all of stdin (a piped secret); the trailing line end is not part of it. */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((stdin as NodeJS.ReadStream).isTTY) throw new UsageError('a --…-stdin secret must be piped in (stdin is a terminal)');
  let text = '';
  for await (const chunk of stdin) text += chunk.toString();
  return text.replace(/\r?\n$/, '');
}
