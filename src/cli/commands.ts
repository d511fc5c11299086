/** Which command lines belong to the command-line client rather than to a service role. */
const CLIENT_COMMANDS: ReadonlySet<string> = new Set(['import', 'jobs', 'syncs', 'items', 'people', 'help', '--help', '-h']);
/** The client's global options that take a value, which may stand before the command. */
const GLOBAL_WITH_VALUE = new Set(['--server', '--api-key-env']);

export function isClientCommand(argv: readonly string[]): boolean {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (GLOBAL_WITH_VALUE.has(arg)) i += 2;
    else if (GLOBAL_WITH_VALUE.has(arg.split('=', 1)[0]!) && arg.includes('=')) i += 1;
    else break;
  }
  return CLIENT_COMMANDS.has(argv[i] ?? '');
}
