/** Entry of the client commands (`import`, `jobs`, `syncs`, `items`), dispatched from src/main.ts. */
import { CommanderError } from 'commander';
import { SOURCE_TYPES } from '../connectors/connector.js';
import { EXIT } from './errors.js';
import { buildProgram, report } from './program.js';
import { refuseSecretArguments } from './secrets.js';


export async function runCli(argv: string[]): Promise<number> {
  const { connectors } = await import('../connectors/registry.js');
  let code: number = EXIT.completed;
  try {
    refuseSecretArguments(argv, new Set(SOURCE_TYPES.flatMap((st) => connectors[st].secretFields)));
    await buildProgram(connectors, (c) => (code = c)).parseAsync(argv, { from: 'user' });
  } catch (err) {
    // Help and version end with 0; every parse error was already printed with its usage line.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.completed : EXIT.usage;
    return report(err, null);
  }
  return code;
}

/** Runs a client command and exits with its code once stdout and stderr are written out. */
export async function runAndExit(argv: string[]): Promise<never> {
  const code = await runCli(argv);
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}
