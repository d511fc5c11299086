import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TEST_REDIS_DB } from '../support/redis.js';

let proxy: TcpProxy | null = null;
afterEach(async () => {
  await proxy?.close();
  proxy = null;
});

// A spawned service starts through tsx and opens an embedded database: slow on a loaded machine.
describe('shutdown', { timeout: 120_000 }, () => {
  it('SIGTERM while Redis is unreachable exits by SHUTDOWN_TIMEOUT_S instead of hanging', async () => {
    proxy = await startTcpProxy(6379);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'all'], {
      env: {
        ...process.env, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'is-shutdown-')), LOG_LEVEL: 'info',
        REDIS_URL: `redis://127.0.0.1:${proxy.port}/${TEST_REDIS_DB}`, REDIS_KEY_PREFIX: `t:shutdown-${process.pid}:`,
        SHUTDOWN_TIMEOUT_S: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = once(child, 'exit');
    try {
      const started = Date.now();
      while (!out.includes('integration-service started')) {
        expect(child.exitCode, out).toBeNull();
        expect(Date.now() - started, 'service start').toBeLessThan(90_000);
        await new Promise((r) => setTimeout(r, 100));
      }
      await proxy.sever();
      child.kill('SIGTERM');
      const at = Date.now();
      const [code] = (await exited) as [number | null];
      expect(Date.now() - at).toBeLessThan(15_000);
      expect(code).not.toBeNull();
      expect(out).toMatch(/shutdown did not finish in SHUTDOWN_TIMEOUT_S|shutting down/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
