/**
 * A taken PORT (or METRICS_PORT) stops start-up at once with one line naming the variable and the
 * address, before the embedded database is opened: no PGlite directory appears in DATA_DIR.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_DB } from '../support/redis.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function occupied(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return (server.address() as { port: number }).port;
}

async function startService(role: string, env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'is-port-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const { DATABASE_URL: _unset, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', role], {
    env: {
      ...inherited, DATA_DIR: dataDir, LOG_LEVEL: 'info', HOST: '127.0.0.1',
      REDIS_URL: `redis://127.0.0.1:6379/${TEST_REDIS_DB}`, REDIS_KEY_PREFIX: `t:port-${process.pid}:`, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const spawnedAt = Date.now();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, dataDir, ms: Date.now() - spawnedAt };
}

// Spawned through tsx on a loaded machine: the bound is generous, but far below what opening PGlite costs.
describe('a taken port', { timeout: 90_000 }, () => {
  it('PORT: exits 1 with one line naming PORT and the address, and never opens the database', async () => {
    const port = await occupied();
    const r = await startService('api', { PORT: String(port) });
    expect(r.code, r.out).toBe(1);
    expect(r.out.trim()).toBe(
      `cannot start: PORT ${port} on 127.0.0.1 is already in use (EADDRINUSE): stop what listens there or set PORT to a free port`,
    );
    expect(existsSync(join(r.dataDir, 'pglite')), 'PGlite was opened').toBe(false);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('METRICS_PORT: the same, naming METRICS_PORT', async () => {
    const port = await occupied();
    const r = await startService('all', { PORT: '0', METRICS_PORT: String(port) });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`cannot start: METRICS_PORT ${port} on 127.0.0.1 is already in use (EADDRINUSE)`);
    expect(existsSync(join(r.dataDir, 'pglite'))).toBe(false);
  });
});
