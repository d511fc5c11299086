/**
 * Configuration (CONTRACT §1), parsed once at boot and frozen. A bad value throws ConfigError
 * whose message names the variable and never echoes a value (it may be a secret).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { AllowedHosts } from './outbound/allowed-hosts.js';

export interface Config {
  port: number;
  host: string;
  /** METRICS_PORT (an addition to the contract's variables): GET /metrics and /health on their own port, in any role. */
  metricsPort: number | null;
  redisUrl: string;
  redisKeyPrefix: string;
  jobTtlSeconds: number;
  databaseUrl: string | null;
  dataDir: string;
  environment: string;
  apiKeys: Map<string, string> | null;
  credentialsKey: Buffer;
  allowPrivateNetworks: boolean;
  /** SOURCE_ALLOWED_HOSTS: names and CIDRs that may be private without the blanket allowance. */
  allowedHosts: AllowedHosts;
  workerConcurrency: number;
  webhookSecret: string | null;
  logLevel: string;
  /** A shutdown that has not finished by then exits anyway (a Redis outage must not hold it forever). */
  shutdownTimeoutMs: number;
  /** CONTRACT §9: jobs of one tenant running at once, deployment-wide. */
  tenantMaxRunning: number;
  /** CONTRACT §9: pending jobs of one tenant beyond which a POST gets 429 TOO_MANY_JOBS. */
  tenantMaxQueued: number;
  /** CONTRACT §11: the shortest `schedule.every_seconds` a sync may have. */
  syncMinIntervalS: number;
  /** PUBLIC_URL: the service's address as the world sees it (a sync's webhook_url); null = from the request's Host. */
  publicUrl: string | null;
  /** Where downloaded attachment content goes (issue 12): BLOB_DIR, or an S3-compatible bucket when BLOB_S3_BUCKET is set. */
  blobs: BlobConfig;
  /** ATTACHMENT_MAX_FILE_MB / _ITEM_MB / _JOB_MB: this deployment's caps in bytes (null = the policy's). */
  attachmentCaps: { maxFileBytes: number | null; maxItemBytes: number | null; maxJobBytes: number | null };
}

export interface S3BlobConfig {
  bucket: string;
  /** BLOB_S3_ENDPOINT: an S3-compatible service (MinIO, Ceph, R2…); null = AWS S3 itself */
  endpoint: string | null;
  region: string;
  /** BLOB_S3_PREFIX: put before every key, '' or ending with '/' */
  prefix: string;
  /** BLOB_S3_FORCE_PATH_STYLE: bucket in the path, not the host name (MinIO); default true with an endpoint */
  forcePathStyle: boolean;
}

export interface BlobConfig {
  /** BLOB_DIR [DATA_DIR/blobs]: the local store, used when no bucket is set */
  dir: string;
  s3: S3BlobConfig | null;
}

/** One or more bad values: one line per problem, each naming its variable (never its value). */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(variable: string, problem: string, more: string[] = []) {
    const problems = [`${variable} ${problem}`, ...more];
    super(problems.map((p) => `invalid configuration: ${p}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
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

const KEY_HINT = 'generate one with: openssl rand -base64 32';

function credentialsKey(env: Env, dataDir: string, production: boolean): Buffer {
  const raw = env.CREDENTIALS_KEY?.trim();
  if (raw) return decodeKey(raw, 'CREDENTIALS_KEY', `must be 32 bytes encoded as base64 (${KEY_HINT})`);
  if (production) throw new ConfigError('CREDENTIALS_KEY', `is required in production (${KEY_HINT})`);
  return developmentKey(dataDir);
}

/** An HMAC key shorter than its hash's output weakens it: at least 32 bytes, as for CREDENTIALS_KEY. */
function webhookSecret(env: Env): string | null {
  const raw = env.WEBHOOK_SECRET?.trim();
  if (!raw) return null;
  if (Buffer.byteLength(raw) < 32) throw new ConfigError('WEBHOOK_SECRET', `must be at least 32 bytes (${KEY_HINT})`);
  return raw;
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

/** An origin with an optional path prefix; a query or fragment could not be extended by /api/webhooks/… */
function publicUrl(env: Env): string | null {
  const raw = url(env, 'PUBLIC_URL', ['http:', 'https:']);
  if (raw === null) return null;
  const parsed = new URL(raw);
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError('PUBLIC_URL', 'must be a plain http(s) URL without credentials, query or fragment');
  }
  return parsed.href.replace(/\/+$/, '');
}

function allowedHosts(env: Env): AllowedHosts {
  try {
    return AllowedHosts.parse(env.SOURCE_ALLOWED_HOSTS);
  } catch (err) {
    throw new ConfigError('SOURCE_ALLOWED_HOSTS', (err as Error).message);
  }
}

/**
 * Credentials are never read here: the AWS SDK takes them from its standard chain (AWS_ACCESS_KEY_ID
 * and AWS_SECRET_ACCESS_KEY, a profile, a role), so none passes through this config.
 */
function blobs(env: Env, dataDir: string): BlobConfig {
  const dir = resolve(env.BLOB_DIR?.trim() || join(dataDir, 'blobs'));
  const bucket = env.BLOB_S3_BUCKET?.trim();
  if (!bucket) return { dir, s3: null };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(bucket)) throw new ConfigError('BLOB_S3_BUCKET', 'must be a bucket name of [A-Za-z0-9._-]');
  const endpoint = url(env, 'BLOB_S3_ENDPOINT', ['http:', 'https:']);
  if (endpoint) {
    const parsed = new URL(endpoint);
    if (parsed.username || parsed.password || parsed.search) throw new ConfigError('BLOB_S3_ENDPOINT', 'must be a plain http(s) URL without credentials or query');
  }
  const region = env.BLOB_S3_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1';
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new ConfigError(env.BLOB_S3_REGION?.trim() ? 'BLOB_S3_REGION' : 'AWS_REGION', 'must be a region name like eu-west-1');
  const prefix = (env.BLOB_S3_PREFIX?.trim() ?? '').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._/-]{0,200}$/.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..' || (prefix !== '' && s === ''))) {
    throw new ConfigError('BLOB_S3_PREFIX', 'must be up to 200 characters of [A-Za-z0-9._/-] without empty, . or .. segments');
  }
  const pathStyle = env.BLOB_S3_FORCE_PATH_STYLE?.trim() ? bool(env, 'BLOB_S3_FORCE_PATH_STYLE') : endpoint !== null;
  return { dir, s3: { bucket, endpoint, region, prefix: prefix ? `${prefix}/` : '', forcePathStyle: pathStyle } };
}

function mebibytes(env: Env, name: string): number | null {
  return env[name]?.trim() ? int(env, name, 0, 1, 1_000_000) * 1024 * 1024 : null;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Environments that may run without API keys. Any other name (staging, prod, eu-west) is run as production. */
const DEVELOPMENT_ENVIRONMENTS = ['development', 'dev', 'test', 'local'];

/** Runs every field's parser and gathers the problems, so an operator sees all of them at once. */
class Gather {
  readonly problems: string[] = [];
  take<T>(parse: () => T, fallback: T): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(...err.problems);
      return fallback;
    }
  }
}

function environmentOf(env: Env): { name: string; production: boolean } {
  const name = (env.APP_ENV || env.NODE_ENV || 'development').trim();
  if (!/^[a-z0-9_-]{1,32}$/i.test(name)) throw new ConfigError(env.APP_ENV ? 'APP_ENV' : 'NODE_ENV', 'must be a short name');
  // Either variable naming anything but a development environment is enough: NODE_ENV=production
  // with APP_ENV=eu-west (the name /health reports), or APP_ENV=prod, must not run without keys.
  const production = [env.NODE_ENV, env.APP_ENV].some((v) => v?.trim() && !DEVELOPMENT_ENVIRONMENTS.includes(v.trim().toLowerCase()));
  return { name, production };
}

function simple(env: Env) {
  const logLevel = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const host = env.HOST?.trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError('HOST', 'must be a host name or IP address');
  const prefix = env.REDIS_KEY_PREFIX?.trim() ?? '';
  if (!/^[A-Za-z0-9:._-]{0,64}$/.test(prefix)) throw new ConfigError('REDIS_KEY_PREFIX', 'must be up to 64 characters of [A-Za-z0-9:._-]');
  return { logLevel, host, prefix };
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const g = new Gather();
  const { name: environment, production } = g.take(() => environmentOf(env), { name: 'development', production: true });
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  const keys = g.take(() => apiKeys(env), null);
  if (production && !keys && !g.problems.some((p) => p.startsWith('API_KEYS'))) {
    g.problems.push('API_KEYS is required in production (NODE_ENV or APP_ENV other than development/test): key:tenant[,key:tenant…], keys of 16+ characters');
  }
  const { logLevel, host, prefix } = g.take(() => simple(env), { logLevel: 'info', host: '', prefix: '' });
  const config: Config = {
    port: g.take(() => int(env, 'PORT', 8100, 0, 65535), 0),
    host,
    metricsPort: g.take(() => (env.METRICS_PORT?.trim() ? int(env, 'METRICS_PORT', 0, 0, 65535) : null), null),
    redisUrl: g.take(() => url(env, 'REDIS_URL', ['redis:', 'rediss:'], 'redis://localhost:6379/0')!, ''),
    redisKeyPrefix: prefix,
    jobTtlSeconds: g.take(() => int(env, 'REDIS_JOB_TTL', 86400, 60, 365 * 86400), 0),
    databaseUrl: g.take(() => url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']), null),
    dataDir,
    environment,
    apiKeys: keys,
    credentialsKey: g.take(() => credentialsKey(env, dataDir, production), Buffer.alloc(0)),
    allowPrivateNetworks: g.take(() => bool(env, 'SOURCE_ALLOW_PRIVATE_NETWORKS'), false),
    allowedHosts: g.take(() => allowedHosts(env), AllowedHosts.NONE),
    workerConcurrency: g.take(() => int(env, 'WORKER_CONCURRENCY', 4, 1, 256), 0),
    webhookSecret: g.take(() => webhookSecret(env), null),
    logLevel,
    shutdownTimeoutMs: g.take(() => int(env, 'SHUTDOWN_TIMEOUT_S', 25, 1, 3600), 0) * 1000,
    tenantMaxRunning: g.take(() => int(env, 'TENANT_MAX_RUNNING', 2, 1, 10_000), 0),
    tenantMaxQueued: g.take(() => int(env, 'TENANT_MAX_QUEUED', 1000, 1, 10_000_000), 0),
    syncMinIntervalS: g.take(() => int(env, 'SYNC_MIN_INTERVAL_S', 60, 1, 86400), 0),
    publicUrl: g.take(() => publicUrl(env), null),
    blobs: g.take(() => blobs(env, dataDir), { dir: '', s3: null }),
    attachmentCaps: {
      maxFileBytes: g.take(() => mebibytes(env, 'ATTACHMENT_MAX_FILE_MB'), null),
      maxItemBytes: g.take(() => mebibytes(env, 'ATTACHMENT_MAX_ITEM_MB'), null),
      maxJobBytes: g.take(() => mebibytes(env, 'ATTACHMENT_MAX_JOB_MB'), null),
    },
  };
  const [first, ...more] = g.problems;
  if (first !== undefined) {
    const space = first.indexOf(' ');
    throw new ConfigError(first.slice(0, space), first.slice(space + 1), more);
  }
  return Object.freeze(config);
}
