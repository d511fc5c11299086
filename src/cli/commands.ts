/** The first arguments that select the command-line client instead of a service role. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set(['import', 'jobs', 'syncs', 'items', 'help', '--help', '-h']);
