import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deletePrefix, TEST_REDIS_URL } from './support/redis.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'is-config-'));
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c).toMatchObject({
      port: 8100, host: '127.0.0.1', redisUrl: 'redis://localhost:6379/0', jobTtlSeconds: 86400, databaseUrl: null,
      environment: 'development', apiKeys: null, allowPrivateNetworks: false, workerConcurrency: 4, webhookSecret: null, logLevel: 'info',
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(c).toMatchObject({ syncMinIntervalS: 60, publicUrl: null });
    expect(loadConfig({ DATA_DIR: dataDir(), SYNC_MIN_INTERVAL_S: '1', PUBLIC_URL: 'https://hooks.example.com/svc/' })).toMatchObject({
      syncMinIntervalS: 1, publicUrl: 'https://hooks.example.com/svc',
    });
  });

  it('generates a development credentials key once and reuses it', () => {
    const dir = dataDir();
    const a = loadConfig({ DATA_DIR: dir }).credentialsKey;
    expect(a).toHaveLength(32);
    expect(loadConfig({ DATA_DIR: dir }).credentialsKey.equals(a)).toBe(true);
    expect(Buffer.from(readFileSync(join(dir, 'credentials.key'), 'utf8'), 'base64').equals(a)).toBe(true);
  });

  it.each([
    ['PORT', 'eighty', /PORT/],
    ['PORT', '70000', /PORT/],
    ['REDIS_JOB_TTL', '-5', /REDIS_JOB_TTL/],
    ['REDIS_URL', 'http://x', /REDIS_URL/],
    ['DATABASE_URL', 'mysql://u:hunter2@h/db', /DATABASE_URL/],
    ['WORKER_CONCURRENCY', '0', /WORKER_CONCURRENCY/],
    ['SOURCE_ALLOW_PRIVATE_NETWORKS', 'maybe', /SOURCE_ALLOW_PRIVATE_NETWORKS/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['CREDENTIALS_KEY', 'c2hvcnQ=', /CREDENTIALS_KEY/],
    ['API_KEYS', 'sekrit-without-tenant-0123456789', /API_KEYS/],
    ['SYNC_MIN_INTERVAL_S', '99999', /SYNC_MIN_INTERVAL_S/],
    ['SYNC_MIN_INTERVAL_S', 'one-minute', /SYNC_MIN_INTERVAL_S/],
    ['PUBLIC_URL', 'ftp://hooks.example.com', /PUBLIC_URL/],
    ['PUBLIC_URL', 'https://u:hunter2@hooks.example.com', /PUBLIC_URL/],
    ['PUBLIC_URL', 'https://hooks.example.com/?k=zz9', /PUBLIC_URL/],
  ])('refuses a bad %s with a message naming it and not echoing the value', (name, value, pattern) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dataDir(), [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain(value);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('production requires API_KEYS and CREDENTIALS_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), CREDENTIALS_KEY: KEY })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), API_KEYS: 'k-0123456789abcdef:acme' })).toThrow(/CREDENTIALS_KEY/);
    const c = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), API_KEYS: 'k-0123456789abcdef:acme,k-fedcba9876543210:beta', CREDENTIALS_KEY: KEY });
    expect([...c.apiKeys!.entries()]).toEqual([['k-0123456789abcdef', 'acme'], ['k-fedcba9876543210', 'beta']]);
    expect(c.environment).toBe('production');
  });

  it('NODE_ENV=production keeps keys mandatory when APP_ENV names the deployment', () => {
    const env = { NODE_ENV: 'production', APP_ENV: 'eu-west', DATA_DIR: dataDir() };
    expect(() => loadConfig({ ...env, CREDENTIALS_KEY: KEY })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ ...env, API_KEYS: 'k-0123456789abcdef:acme' })).toThrow(/CREDENTIALS_KEY/);
    expect(loadConfig({ ...env, API_KEYS: 'k-0123456789abcdef:acme', CREDENTIALS_KEY: KEY }).environment).toBe('eu-west');
    expect(() => loadConfig({ NODE_ENV: 'development', APP_ENV: 'production', DATA_DIR: dataDir(), CREDENTIALS_KEY: KEY })).toThrow(/API_KEYS/);
  });

  it('reports every problem at once, one line each, with how to make a key', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), PORT: 'eighty', WEBHOOK_SECRET: 'short-secret' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines.map((l) => /^invalid configuration: (\w+)/.exec(l)?.[1]).sort()).toEqual(['API_KEYS', 'CREDENTIALS_KEY', 'PORT', 'WEBHOOK_SECRET']);
    expect(lines.find((l) => l.includes('CREDENTIALS_KEY'))).toMatch(/openssl rand -base64 32/);
    expect((error as Error).message).not.toContain('short-secret');
  });

  it.each(['prod', 'staging', 'eu-west', 'Production'])('runs APP_ENV=%s as production, never as development', (name) => {
    expect(() => loadConfig({ APP_ENV: name, DATA_DIR: dataDir() })).toThrow(/API_KEYS/);
    expect(loadConfig({ APP_ENV: name, DATA_DIR: dataDir(), API_KEYS: 'k-0123456789abcdef:acme', CREDENTIALS_KEY: KEY }).environment).toBe(name);
  });

  it.each(['development', 'test', 'dev', 'local'])('runs %s without keys', (name) => {
    expect(loadConfig({ NODE_ENV: name, DATA_DIR: dataDir() }).apiKeys).toBeNull();
  });

  it('refuses a WEBHOOK_SECRET under 32 bytes', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), WEBHOOK_SECRET: 'x'.repeat(31) })).toThrow(/WEBHOOK_SECRET must be at least 32 bytes/);
    expect(loadConfig({ DATA_DIR: dataDir(), WEBHOOK_SECRET: 'x'.repeat(32) }).webhookSecret).toBe('x'.repeat(32));
  });

  it('the service stops at start-up with one line naming the variable', { timeout: 90_000 }, () => {
    const secret = 'postgres://u:hunter2@h:notaport/db';
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'api'], {
      env: { ...process.env, DATA_DIR: dataDir(), DATABASE_URL: secret, PORT: '1' },
      encoding: 'utf8',
      timeout: 80_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/DATABASE_URL/);
    expect(run.stderr).not.toContain('hunter2');
  });
});

const PREFIX = `t:${randomUUID().slice(0, 8)}:`;
afterAll(async () => {
  const redis = new Redis(TEST_REDIS_URL);
  await deletePrefix(redis, PREFIX);
  redis.disconnect();
});

/** Runs `integration-service api` until it exits; its exit code and stderr. */
function startApi(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'api'], {
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: PREFIX, LOG_LEVEL: 'silent', DATA_DIR: dataDir(), ...env },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

// Spawned services start through tsx: on a loaded 2-core machine that alone can take 20 s or more.
describe('start-up failures beyond the values themselves', { timeout: 90_000 }, () => {
  it('a taken PORT, a DATA_DIR that is a file, an unreachable DATABASE_URL, a Redis database that cannot be selected: one line naming the variable', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = String((taken.address() as { port: number }).port);
    const file = join(dataDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    try {
      const runs = await Promise.all([
        startApi({ PORT: port, HOST: '127.0.0.1' }),
        startApi({ DATA_DIR: file }),
        startApi({ DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/db' }),
        startApi({ REDIS_URL: 'redis://127.0.0.1:6379/99' }),
      ]);
      for (const [run, name] of runs.map((r, i) => [r, ['PORT', 'DATA_DIR', 'DATABASE_URL', 'REDIS_URL'][i]!] as const)) {
        expect(run.status, name).toBe(1);
        expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
        expect(run.stderr, name).toMatch(new RegExp(`^cannot start: ${name}|^invalid configuration: ${name}`));
        expect(run.stderr).not.toContain('hunter2');
      }
    } finally {
      taken.close();
    }
  });
});
