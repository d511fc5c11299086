/**
 * A private redis-server for tests that stop and restart Redis for real (the shared server on 6379
 * serves other test files at the same time): its own free port and a temp directory, append-only
 * file on, snapshots off, so a restart keeps exactly what was written. `kill()` always ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  port: number;
  url: string;
  /** SHUTDOWN (which fsyncs the append-only file) and wait for the process to end. */
  shutdown(): Promise<void>;
  /** Start again on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Ends the server whatever its state and removes its directory. */
  kill(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'is-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

  const start = async () => {
    const c = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec',
      '--save', '', '--protected-mode', 'no', '--loglevel', 'warning',
    ], { stdio: 'ignore' });
    child = c;
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until it listens
    const deadline = Date.now() + 20_000;
    try {
      for (;;) {
        if (exited(c)) throw new Error(`redis-server exited with ${c.exitCode ?? c.signalCode}`);
        const ok = await probe.connect().then(() => probe.ping(), () => null).catch(() => null);
        // While it loads the append-only file it answers LOADING errors, which PING rejects with.
        if (ok === 'PONG') return;
        probe.disconnect();
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      probe.disconnect();
    }
  };

  const shutdown = async () => {
    const c = child;
    if (!c || exited(c)) return;
    const gone = once(c, 'exit');
    const admin = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.call('SHUTDOWN').catch(() => undefined); // the connection closes as the server ends
    admin.disconnect();
    await gone;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    shutdown,
    start,
    async kill() {
      const c = child;
      if (c && !exited(c)) {
        const gone = once(c, 'exit');
        c.kill('SIGKILL');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
