/**
 * A live service for CLI tests: the jobs core (test harness: real Redis, PGlite, in-process worker)
 * with the real GitHub connector against the GitHub fake, behind the real HTTP app listening on a
 * loopback port. The CLI runs as a child process (tsx), as a user would run it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { githubModule } from '../../src/connectors/github/index.js';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import { GithubFake, type GithubFakeOptions } from '../../src/sandbox/fakes/github.js';
import { startSourceHarness, type Harness } from '../support/harness.js';
import type { Policy } from '../../src/policy.js';

export interface CliService {
  harness: Harness;
  app: FastifyInstance;
  server: string;
  github: GithubFake;
  close(): Promise<void>;
}

export async function startCliService(fake: GithubFakeOptions = {}, api: Partial<Policy['api']> = {}): Promise<CliService> {
  const github = new GithubFake(fake);
  await github.start();
  const harness = await startSourceHarness([githubModule]);
  const app = await buildApp({
    jobs: harness.deps.jobs,
    items: harness.deps.store,
    health: healthProbe(harness.deps.redis, harness.deps.store),
    connectors: harness.deps.connectors,
    syncs: harness.deps.syncs,
    apiKeys: null,
    version: '9.9.9-test',
    environment: 'test',
    logger: pino({ level: 'silent' }),
    policy: { ...harness.deps.policy.api, ...api },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    harness, app, github, server: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await harness.cleanup();
      await github.close();
    },
  };
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export const CLI_ENTRY = ['--import', 'tsx', 'src/cli/main.ts'];

/** Runs `integration-service <args>` with `env` added to a clean environment (no inherited API key). */
export function cli(args: string[], env: Record<string, string> = {}, input?: string): CliRun {
  const { INTEGRATION_SERVICE_API_KEY: _unused, ...base } = process.env;
  const child = spawn(process.execPath, [...CLI_ENTRY, ...args], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.end(input ?? '');
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child, done,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForStderr(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = stderr.match(pattern);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`stderr never matched ${pattern}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The last non-empty line of `text`. */
export function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

export const ESC = '\u001b';
