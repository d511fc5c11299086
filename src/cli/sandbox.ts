/**
 * `integration-service sandbox`: starts the simulated vendors and prints, for each, ready-to-paste
 * commands that import from it into a running service; runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startSandbox, SANDBOX_SOURCES, type SandboxOptions } from '../sandbox/sandbox.js';
import { cliCommand, curlCommand, DEFAULT_SERVER, type CommandTarget } from '../sandbox/commands.js';
import type { SandboxSource } from '../sandbox/source.js';
import { UsageError, intFlag } from './flags.js';

export const SANDBOX_USAGE = `usage: integration-service sandbox [options]

Starts simulated Jira, ServiceNow, GitHub and GitLab servers on 127.0.0.1 with generated data
and prints ready-to-paste import commands. Runs until Ctrl+C.

  --items N            records per vendor [300]
  --port-base N        jira on N, servicenow N+1, github N+2, gitlab N+3 [free ports]
  --jira-port N, --servicenow-port N, --github-port N, --gitlab-port N
  --server URL         the service the printed commands talk to [${DEFAULT_SERVER}]
  --api-key-env NAME   the service has API_KEYS on: the printed commands send the key in $NAME
  --no-rate-limit      no throttling and no 429s (the import runs at full speed)
`;

export interface SandboxArgs {
  options: SandboxOptions;
  target: CommandTarget;
}

export function parseSandboxArgs(argv: string[]): SandboxArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      items: { type: 'string' }, 'port-base': { type: 'string' },
      'jira-port': { type: 'string' }, 'servicenow-port': { type: 'string' }, 'github-port': { type: 'string' }, 'gitlab-port': { type: 'string' },
      server: { type: 'string' }, 'api-key-env': { type: 'string' }, 'no-rate-limit': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('', SANDBOX_USAGE);
  const ports: SandboxOptions['ports'] = {};
  for (const type of SANDBOX_SOURCES) {
    const raw = values[`${type}-port`];
    if (raw !== undefined) ports[type] = intFlag(`--${type}-port`, raw, 1, 65535);
  }
  const server = (values.server ?? DEFAULT_SERVER).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+$/.test(server)) throw new UsageError('--server must be an http(s) origin such as http://127.0.0.1:8100');
  const apiKeyEnv = values['api-key-env'];
  if (apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) throw new UsageError('--api-key-env must be an environment variable name');
  return {
    options: {
      items: values.items === undefined ? 300 : intFlag('--items', values.items, 1, 100_000),
      ...(values['port-base'] === undefined ? {} : { portBase: intFlag('--port-base', values['port-base'], 1, 65532) }),
      ports,
      rateLimit: !values['no-rate-limit'],
    },
    target: { server, ...(apiKeyEnv ? { apiKeyEnv } : {}) },
  };
}

function describe(source: SandboxSource, target: CommandTarget): string {
  const failing = source.failing.map((f) => `${f.key}: ${f.why}`);
  return [
    `${source.label} at ${source.baseUrl}: ${source.items} items with comments`,
    ...(failing.length ? [`  fails on purpose: ${failing.join('; ')}`] : []),
    ...(source.pacing ? [`  pacing: ${source.pacing}`] : []),
    ...(source.partial ? [`  partial on purpose: ${source.partial}`] : []),
    `  ${curlCommand(source, target)}`,
    `  ${cliCommand(source, target)}`,
  ].join('\n');
}

export function sandboxBanner(sources: SandboxSource[], target: CommandTarget): string {
  return [
    'Sandbox running: simulated vendors on 127.0.0.1 with generated data (no network access, no real credentials).',
    '',
    'The service must be allowed to reach loopback addresses; start it in another terminal with',
    '  SOURCE_ALLOWED_HOSTS=127.0.0.1 npm start        (or SOURCE_ALLOW_PRIVATE_NETWORKS=true)',
    '',
    'Then paste one of these (the HTTP API, or the CLI form):',
    '',
    ...sources.map((s) => `${describe(s, target)}\n`),
    `Watch a job: curl -N ${target.server}/api/imports/<job_id>/events`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

export async function runSandbox(argv: string[]): Promise<void> {
  const { options, target } = parseSandboxArgs(argv);
  const sandbox = await startSandbox(options);
  process.stdout.write(sandboxBanner(sandbox.sources, target));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  process.stdout.write('sandbox stopped\n');
}
