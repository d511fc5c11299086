/**
 * npm run verify: checks a running service end to end — health, create a job, read it back,
 * and compare it with its Redis record (same JSON, no credential, TTL close to REDIS_JOB_TTL).
 * One PASS/FAIL line per step; exit code 1 when any step fails.
 *
 * Environment: BASE_URL [http://127.0.0.1:8100], REDIS_URL [redis://localhost:6379/0],
 * REDIS_JOB_TTL [86400], REDIS_KEY_PREFIX [''], API_KEY (when the service has API_KEYS),
 * VERIFY_GITHUB_TOKEN (optional: sent as source_config.token and checked absent from Redis),
 * VERIFY_IMPORT_BODY (optional JSON: another POST body than the default GitHub dry run).
 */
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { jobKeys } from '../src/jobs/keys.js';

export interface VerifyOptions {
  baseUrl: string;
  redisUrl: string;
  jobTtl: number;
  keyPrefix: string;
  apiKey: string | null;
  body: Record<string, unknown>;
  /** A secret placed in the body, which must not appear in Redis. */
  secret: string | null;
}

type Job = Record<string, unknown> & { job_id: string };

const CREDENTIAL_FIELDS = /"(token|api_token|password|access_token|personal_access_token)"\s*:/;
const TTL_SLACK_SECONDS = 120;

export function optionsFromEnv(env: NodeJS.ProcessEnv): VerifyOptions {
  const secret = env.VERIFY_GITHUB_TOKEN || null;
  const body = env.VERIFY_IMPORT_BODY
    ? (JSON.parse(env.VERIFY_IMPORT_BODY) as Record<string, unknown>)
    : {
        source_type: 'github',
        source_config: { owner: 'octocat', repo: 'Hello-World', ...(secret ? { token: secret } : {}) },
        options: { dry_run: true },
        correlation_id: 'npm-run-verify',
      };
  return {
    baseUrl: (env.BASE_URL || 'http://127.0.0.1:8100').replace(/\/+$/, ''),
    redisUrl: env.REDIS_URL || 'redis://localhost:6379/0',
    jobTtl: Number(env.REDIS_JOB_TTL || 86400),
    keyPrefix: env.REDIS_KEY_PREFIX || '',
    apiKey: env.API_KEY || null,
    body,
    secret,
  };
}

class StepFailed extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}

export async function runVerify(opts: VerifyOptions, print: (line: string) => void): Promise<boolean> {
  const auth: Record<string, string> = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${opts.baseUrl}${path}`, { ...init, headers: { ...auth, ...init.headers } }).catch((err: Error) => {
      const inner = err.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
      const cause = inner?.code ?? inner?.errors?.[0]?.code ?? inner?.message ?? err.message;
      throw new StepFailed(`cannot reach ${opts.baseUrl} (${cause}); is the service running? (BASE_URL)`);
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // reported by the step that needed JSON
    }
    return { res, json };
  };
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  const key = (id: string) => jobKeys(opts.keyPrefix).record(id);
  let ok = true;
  let job: Job | null = null;

  async function step(name: string, fn: () => Promise<string>): Promise<void> {
    try {
      print(`PASS  ${name}: ${await fn()}`);
    } catch (err) {
      ok = false;
      print(`FAIL  ${name}: ${err instanceof StepFailed ? err.message : `error: ${(err as Error).message}`}`);
    }
  }
  const needJob = () => {
    check(job, 'skipped: no job was created');
    return job;
  };

  await step('health', async () => {
    const { res, json } = await call('/health');
    const h = json as { status?: string; service?: string; version?: string; checks?: { redis?: { latency_ms?: number } } };
    check(res.status === 200, `GET /health answered ${res.status} ${JSON.stringify(json)}`);
    check(h.status === 'healthy' && h.service === 'integration-service', `unexpected body ${JSON.stringify(json)}`);
    return `healthy, version ${h.version}, redis ${h.checks?.redis?.latency_ms} ms`;
  });

  await step('create job', async () => {
    const { res, json } = await call('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(opts.body),
    });
    const hint = res.status !== 401 ? '' : opts.apiKey ? '; API_KEY is not a key the service knows' : '; the service has API_KEYS: set API_KEY';
    check(res.status === 202, `POST /api/imports answered ${res.status} ${JSON.stringify(json)}${hint}`);
    const created = json as Job;
    check(res.headers.get('location') === `/api/imports/${created.job_id}`, `Location is ${res.headers.get('location')}`);
    job = created;
    return `202, job ${created.job_id} (${String(created.status)})`;
  });

  await step('get job', async () => {
    const created = needJob();
    const { res, json } = await call(`/api/imports/${created.job_id}`);
    check(res.status === 200, `GET answered ${res.status}`);
    const got = json as Job;
    for (const field of ['job_id', 'created_at', 'request_id', 'source_type']) {
      check(isDeepStrictEqual(got[field], created[field]), `${field} differs from the created job`);
    }
    return `200, status ${String(got.status)}`;
  });

  await step('redis record', async () => {
    const { job_id } = needJob();
    await redis.connect().catch(() => undefined);
    // The job may move on between two reads: the API must match Redis just before or after.
    const before = await redis.get(key(job_id));
    const api = (await call(`/api/imports/${job_id}`)).json;
    const after = await redis.get(key(job_id));
    check(before !== null && after !== null, `no value at ${key(job_id)}`);
    check([before, after].some((v) => isDeepStrictEqual(JSON.parse(v!), api)), 'the API and Redis disagree');
    check(!CREDENTIAL_FIELDS.test(after) && !(opts.secret && after.includes(opts.secret)), 'the record holds a credential');
    return `${key(job_id)} is the same JSON as the API returns, no credential`;
  });

  await step('redis ttl', async () => {
    const { job_id } = needJob();
    const ttl = await redis.ttl(key(job_id));
    check(ttl > opts.jobTtl - TTL_SLACK_SECONDS && ttl <= opts.jobTtl, `TTL is ${ttl}, expected close to ${opts.jobTtl}`);
    return `TTL ${ttl} s (REDIS_JOB_TTL ${opts.jobTtl})`;
  });

  redis.disconnect();
  print(ok ? 'verify: all steps passed' : 'verify: FAILED');
  return ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ok = await runVerify(optionsFromEnv(process.env), (line) => console.log(line));
  process.exit(ok ? 0 : 1);
}
