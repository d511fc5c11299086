/**
 * The service the demo imports into: `integration-service all` as a child process on a free
 * port, with its own temporary DATA_DIR (embedded PGlite), its own Redis key prefix, and
 * loopback allowed for the sandbox's servers only. Its log goes to a file, shown when it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export interface DemoService {
  url: string;
  logFile: string;
  /** set once the process has ended */
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** Variables of the caller's environment that would change what the demo shows (or where it writes). */
const DROPPED = [
  'PORT', 'HOST', 'METRICS_PORT', 'DATABASE_URL', 'API_KEYS', 'CREDENTIALS_KEY', 'WEBHOOK_SECRET',
  'SOURCE_ALLOW_PRIVATE_NETWORKS', 'SOURCE_ALLOWED_HOSTS', 'TENANT_MAX_RUNNING', 'TENANT_MAX_QUEUED', 'WORKER_CONCURRENCY',
];

export const SERVICE_LOG = 'service.log';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** REDIS_URL without its password, for messages. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(REDIS_URL is not a valid URL)';
  }
}

/** Null when Redis answers PING; otherwise why not, in a few words. */
export async function redisProblem(url: string): Promise<string | null> {
  let redis: Redis;
  try {
    redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  } catch {
    return 'REDIS_URL is not a valid Redis URL';
  }
  // The socket's error (ECONNREFUSED, ENOTFOUND) says more than the "Connection is closed" connect() rejects with.
  let cause: NodeJS.ErrnoException | null = null;
  redis.on('error', (err: NodeJS.ErrnoException) => (cause ??= err));
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    const e = cause ?? (err as NodeJS.ErrnoException);
    return e.code ?? e.message.split(url).join(safeRedisUrl(url));
  } finally {
    redis.disconnect();
  }
}

/** Deletes the keys the demo's service wrote under its own prefix. */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** This build's CLI entry (src/cli/main.ts under tsx, dist/cli/main.js when built), run with the same loader. */
function serviceCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const entry = fileURLToPath(new URL(`../cli/main${extname(here)}`, import.meta.url));
  return [...process.execArgv, entry, 'all'];
}

export async function startDemoService(o: { dataDir: string; redisUrl: string; prefix: string; timeoutMs: number }): Promise<DemoService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(o.dataDir, SERVICE_LOG);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DROPPED) delete env[name];
  Object.assign(env, {
    PORT: String(port), HOST: '127.0.0.1', DATA_DIR: o.dataDir, REDIS_URL: o.redisUrl, REDIS_KEY_PREFIX: o.prefix,
    NODE_ENV: 'development', APP_ENV: 'development', SOURCE_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'info',
  });
  const log = createWriteStream(logFile);
  await once(log, 'open');
  const child: ChildProcess = spawn(process.execPath, serviceCommand(), { env, stdio: ['ignore', log, log] });
  const exited = once(child, 'exit');
  const service: DemoService = {
    url, logFile,
    exitCode: () => child.exitCode ?? (child.signalCode ? 1 : null),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
  // The embedded database takes a while on a first start: wait for /health, not a fixed time.
  const deadline = Date.now() + o.timeoutMs;
  while (Date.now() < deadline) {
    if (service.exitCode() !== null) {
      await service.stop();
      throw new Error(`the service exited with code ${service.exitCode()} before it was ready (log: ${logFile})`);
    }
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (healthy) return service;
    await new Promise((r) => setTimeout(r, 250));
  }
  await service.stop();
  throw new Error(`the service did not answer /health within ${o.timeoutMs / 1000} s (log: ${logFile})`);
}
