/**
 * Configuration (CONTRACT §1), parsed once at boot and frozen. A bad value throws ConfigError
 * whose message names the variable and never echoes a value (it may be a secret).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  redisUrl: string;
  redisKeyPrefix: string;
  jobTtlSeconds: number;
  databaseUrl: string | null;
  dataDir: string;
  environment: string;
  apiKeys: Map<string, string> | null;
  credentialsKey: Buffer;
  allowPrivateNetworks: boolean;
  workerConcurrency: number;
  webhookSecret: string | null;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * What a variable points at cannot be used at start-up (port taken, database unreachable, DATA_DIR
 * not writable): one line naming the variable, like ConfigError.
 */
export class StartupError extends Error {
  constructor(variable: string, problem: string) {
    super(`cannot start: ${variable} ${problem}`);
    this.name = 'StartupError';
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number between ${min} and ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return n;
}

function bool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0' || raw === 'no') return false;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  throw new ConfigError(name, 'must be true or false');
}

function url(env: Env, name: string, protocols: string[], def?: string): string | null {
  const raw = env[name]?.trim() || def;
  if (!raw) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  return raw;
}

function apiKeys(env: Env): Map<string, string> | null {
  const raw = env.API_KEYS?.trim();
  if (!raw) return null;
  const keys = new Map<string, string>();
  for (const [i, pair] of raw.split(',').entries()) {
    const m = /^([^:\s]{16,}):([A-Za-z0-9._-]{1,64})$/.exec(pair.trim());
    if (!m) throw new ConfigError('API_KEYS', `entry ${i + 1} must be key:tenant (key of 16+ characters without ':' or spaces, tenant of [A-Za-z0-9._-])`);
    keys.set(m[1]!, m[2]!);
  }
  return keys;
}

function decodeKey(raw: string, variable: string, problem: string): Buffer {
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) throw new ConfigError(variable, problem);
  return key;
}

function credentialsKey(env: Env, dataDir: string, production: boolean): Buffer {
  const raw = env.CREDENTIALS_KEY?.trim();
  if (raw) return decodeKey(raw, 'CREDENTIALS_KEY', 'must be 32 bytes encoded as base64');
  if (production) throw new ConfigError('CREDENTIALS_KEY', 'is required in production (NODE_ENV or APP_ENV)');
  return developmentKey(dataDir);
}

/** Development convenience: a key generated once and kept beside the embedded database. */
function developmentKey(dataDir: string): Buffer {
  const file = join(dataDir, 'credentials.key');
  const unusable = () => new StartupError('DATA_DIR', 'must be a directory the service can write to');
  if (!existsSync(file)) {
    const key = randomBytes(32);
    try {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
      return key;
    } catch (err) {
      // Of two processes starting at once on one DATA_DIR, the second reads the first's key.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !existsSync(file)) throw unusable();
    }
  }
  let stored: string;
  try {
    stored = readFileSync(file, 'utf8').trim();
  } catch {
    throw unusable();
  }
  return decodeKey(stored, 'DATA_DIR', 'holds a credentials.key that is not 32 bytes of base64 (remove it or set CREDENTIALS_KEY)');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const environment = (env.APP_ENV || env.NODE_ENV || 'development').trim();
  if (!/^[a-z0-9_-]{1,32}$/i.test(environment)) throw new ConfigError(env.APP_ENV ? 'APP_ENV' : 'NODE_ENV', 'must be a short name');
  // Either variable saying production is enough: NODE_ENV=production with APP_ENV=eu-west
  // (the name reported by /health) must not quietly run without keys.
  const production = [env.NODE_ENV, env.APP_ENV].some((v) => v?.trim() === 'production');
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  const keys = apiKeys(env);
  if (production && !keys) throw new ConfigError('API_KEYS', 'is required in production (NODE_ENV or APP_ENV)');
  const logLevel = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const host = env.HOST?.trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError('HOST', 'must be a host name or IP address');
  const prefix = env.REDIS_KEY_PREFIX?.trim() ?? '';
  if (!/^[A-Za-z0-9:._-]{0,64}$/.test(prefix)) throw new ConfigError('REDIS_KEY_PREFIX', 'must be up to 64 characters of [A-Za-z0-9:._-]');
  return Object.freeze({
    port: int(env, 'PORT', 8100, 0, 65535),
    host,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:'], 'redis://localhost:6379/0')!,
    redisKeyPrefix: prefix,
    jobTtlSeconds: int(env, 'REDIS_JOB_TTL', 86400, 60, 365 * 86400),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir,
    environment,
    apiKeys: keys,
    credentialsKey: credentialsKey(env, dataDir, production),
    allowPrivateNetworks: bool(env, 'SOURCE_ALLOW_PRIVATE_NETWORKS'),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 256),
    webhookSecret: env.WEBHOOK_SECRET?.trim() || null,
    logLevel,
  });
}
