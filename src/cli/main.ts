#!/usr/bin/env node
/**
 * The `integration-service` command: the service roles (`all`, `api`, `worker`; see ../main.ts)
 * and the people-facing commands `sandbox` and `demo`.
 */
import { main } from '../main.js';
import { runDemoCommand } from './demo.js';
import { UsageError } from './flags.js';
import { runSandbox } from './sandbox.js';

const COMMANDS: Record<string, (argv: string[]) => Promise<number | void>> = {
  sandbox: runSandbox,
  demo: runDemoCommand,
};

const [command = 'all', ...rest] = process.argv.slice(2);
const run = COMMANDS[command];
if (!run) {
  await main(process.argv.slice(2));
} else {
  try {
    const code = await run(rest);
    process.exit(code ?? 0);
  } catch (err) {
    if (err instanceof UsageError && !err.message) {
      process.stdout.write(err.usage); // --help
      process.exit(0);
    }
    // parseArgs' own errors (unknown flag, missing value) are usage errors too: exit 3 (CONTRACT §14).
    const usage = err instanceof UsageError || String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${command}: ${(err as Error).message}\n`);
    if (usage) process.stderr.write(`run \`integration-service ${command} --help\` for the options\n`);
    process.exit(usage ? 3 : 1);
  }
}
