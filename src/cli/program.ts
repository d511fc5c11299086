/**
 * The client commands as one commander program. Every action returns its exit code; errors that
 * end a command are reported here, once, in the user's terms (CONTRACT §14 exit codes).
 */
import { Command } from 'commander';
import type { ConnectorModule, SourceType } from '../connectors/connector.js';
import { ApiError } from '../client/client.js';
import { importCommand } from './commands/import.js';
import { itemsCommand } from './commands/items.js';
import { jobsCommand } from './commands/jobs.js';
import { peopleCommand } from './commands/people.js';
import { syncsCommand } from './commands/syncs.js';
import { DEFAULT_API_KEY_ENV, DEFAULT_SERVER } from './context.js';
import { ConnectionError, EXIT, UsageError } from './errors.js';

export type Action = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function usageOf(cmd: Command): string {
  return `usage: ${commandPath(cmd)} ${cmd.usage()}\n(run "${commandPath(cmd)} --help" for all options)`;
}

/** An error that ended a command, on stderr; returns the exit code. Unexpected errors are rethrown. */
export function report(err: unknown, cmd: Command | null, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof UsageError) {
    const usage = err.usage ? `(run "${err.usage}" for all options)\n` : cmd ? `${usageOf(cmd)}\n` : '(run "integration-service --help" for usage)\n';
    stderr.write(`error: ${err.message}\n${usage}`);
    return EXIT.usage;
  }
  if (err instanceof ConnectionError) {
    stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof ApiError) {
    stderr.write(`error: the service answered ${err.status} ${err.message}\n`);
    return EXIT.usage;
  }
  throw err;
}

const SERVICE_HELP = `
Service roles (run the service itself):
  integration-service [all]    API and worker in one process (npm start)
  integration-service api      only the HTTP API
  integration-service worker   only the job worker

Exit codes: 0 completed, 1 failed, 2 cancelled, 3 usage, connection or refused request,
130 interrupted (Ctrl-C stops watching; the job goes on).
Secrets never go on the command line: --token-env NAME reads the token from $NAME.`;

export function buildProgram(connectors: Record<SourceType, ConnectorModule>, setExitCode: (code: number) => void): Command {
  const action: Action = (fn) => async (...args) => {
    // commander passes the command itself last
    const cmd = args.at(-1) as Command;
    try {
      setExitCode(await fn(...args));
    } catch (err) {
      setExitCode(report(err, cmd));
    }
  };
  const program = new Command('integration-service')
    .description('Command-line client of a running integration-service')
    .option('--server <url>', 'the service to talk to', DEFAULT_SERVER)
    .option('--api-key-env <NAME>', `environment variable holding the API key (default: ${DEFAULT_API_KEY_ENV}, when set)`)
    .addHelpText('after', SERVICE_HELP)
    .addCommand(importCommand(connectors, action))
    .addCommand(jobsCommand(action))
    .addCommand(syncsCommand(connectors, action))
    .addCommand(itemsCommand(action))
    .addCommand(peopleCommand(action));
  configure(program);
  return program;
}

/** Settings every command shares; commander copies them only to commands made with .command(). */
function configure(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError(usageOf(cmd)).showSuggestionAfterError(true);
  for (const sub of cmd.commands) configure(sub);
}
