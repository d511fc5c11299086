/** The `integration-service` CLI as a child process (run from source by tsx), its output collected. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** resolves to the exit code (signal: null) */
  exited: Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child, exited, stdout: () => out, stderr: () => err,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before printing ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    },
  };
}

/** Ends a child that is still running. */
export async function kill(run: CliRun, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill(signal);
  await run.exited;
}
