/** `integration-service demo` (`npm run demo`): the sandbox, a service, four imports and a summary; exit 0 when all four completed. */
import { parseArgs } from 'node:util';
import { runDemo } from '../sandbox/demo.js';
import { UsageError, intFlag } from './flags.js';

export const DEMO_USAGE = `usage: integration-service demo [--items N] [--timeout SECONDS]

Starts the sandbox (simulated Jira, ServiceNow, GitHub, GitLab) and the service (temporary
embedded database; Redis at REDIS_URL [redis://localhost:6379/0] under a key prefix of its own,
removed afterwards), imports from all four and prints a summary. Exit code 0 when all four
imports completed, 1 otherwise.

  --items N          records per vendor [300]
  --timeout SECONDS  give up after this long, start-up included [300]
`;

export async function runDemoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { items: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) throw new UsageError('', DEMO_USAGE);
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    return await runDemo({
      items: values.items === undefined ? 300 : intFlag('--items', values.items, 10, 10_000),
      timeoutMs: (values.timeout === undefined ? 300 : intFlag('--timeout', values.timeout, 10, 86_400)) * 1000,
      redisUrl: process.env.REDIS_URL?.trim() || 'redis://localhost:6379/0',
      out: (line) => process.stdout.write(`${line}\n`),
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}
