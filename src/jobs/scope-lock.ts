/**
 * Run leases, in Redis so that they hold across every worker process of the deployment:
 * - at most one running job per (tenant, source_type, source_instance, scope): a lease whose value
 *   is the run's own token, renewed only by that run (compare-and-renew). A stale copy of a
 *   re-delivered job can neither renew nor release the live copy's lease; a new run of the same
 *   job takes over its earlier run's lease at once (the earlier run then fails to renew and stops);
 * - at most TENANT_MAX_RUNNING running jobs per tenant (CONTRACT §9): a sorted set of the tenant's
 *   running job ids scored by lease expiry, so a crashed holder's slot frees itself.
 * Both are taken in one script: a job holds both or neither.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobKeys } from './keys.js';
import type { ImportJobData } from './queue.js';

// KEYS[1] scope lease  KEYS[2] tenant's running set ('' slot when the job has no tenant)
// ARGV[1] run token  ARGV[2] job id  ARGV[3] lease ms  ARGV[4] now ms  ARGV[5] tenant max running
// Returns 1 taken | 0 scope busy | -1 tenant at its limit
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] and string.sub(holder, 1, #ARGV[2] + 1) ~= ARGV[2] .. ':' then return 0 end
if ARGV[5] ~= '0' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
  if not redis.call('ZSCORE', KEYS[2], ARGV[2]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return -1 end
  redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[3]), ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

// KEYS and ARGV as ACQUIRE. Returns 1 renewed | 0 the lease is no longer this run's.
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[5] ~= '0' then redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[3]), ARGV[2]) end
return 1`;

// KEYS as ACQUIRE. ARGV[1] run token, or '' for whichever run of the job holds it  ARGV[2] job id
// ARGV[3] 'keep' to keep the scope (a hand-back that resumes later) for ARGV[4] ms, else release it.
// The tenant slot is always given back: a job waiting in the queue is not running.
const RELEASE = `
if KEYS[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end
local holder = redis.call('GET', KEYS[1])
if not holder then return 0 end
local ours = holder == ARGV[1] or (ARGV[1] == '' and string.sub(holder, 1, #ARGV[2] + 1) == ARGV[2] .. ':')
if not ours then return 0 end
if ARGV[3] == 'keep' then return redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return redis.call('DEL', KEYS[1])`;

/** The scope of CONTRACT §6 per tenant, hashed: the lease's name, and what makes a sync's scope unique (§11). */
export function scopeHash(data: Pick<ImportJobData, 'tenant_id' | 'source_type' | 'source_instance' | 'scope'>): string {
  const id = [data.tenant_id ?? '', data.source_type, data.source_instance, data.scope].join('\u0000');
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

export type Acquired = 'taken' | 'scope-busy' | 'tenant-full';

export class ScopeLocks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: JobKeys,
    readonly leaseMs: number,
    /** 0 = no per-tenant limit */
    private readonly tenantMaxRunning = 0,
  ) {}

  key(data: ImportJobData): string {
    return this.keys.scopeLock(scopeHash(data));
  }

  private slots(data: ImportJobData): [string, string, string] {
    const limited = data.tenant_id !== null && this.tenantMaxRunning > 0;
    return [this.key(data), limited ? this.keys.tenantRunning(data.tenant_id!) : '', limited ? String(this.tenantMaxRunning) : '0'];
  }

  async acquire(data: ImportJobData, token: string): Promise<Acquired> {
    const [scope, tenant, max] = this.slots(data);
    const r = await this.redis.eval(ACQUIRE, 2, scope, tenant, token, data.job_id, this.leaseMs, Date.now(), max);
    return r === 1 ? 'taken' : r === 0 ? 'scope-busy' : 'tenant-full';
  }

  /** false: another run holds the lease now; this run must stop writing at once. */
  async renew(data: ImportJobData, token: string): Promise<boolean> {
    const [scope, tenant, max] = this.slots(data);
    return (await this.redis.eval(RENEW, 2, scope, tenant, token, data.job_id, this.leaseMs, Date.now(), max)) === 1;
  }

  /** Frees the scope and the tenant slot; `token` '' frees whatever run of this job holds it. */
  async release(data: ImportJobData, token = ''): Promise<void> {
    const [scope, tenant] = this.slots(data);
    await this.redis.eval(RELEASE, 2, scope, tenant, token, data.job_id, 'drop', 0);
  }

  /** A job handed back until `untilMs`: the scope stays this job's meanwhile, the tenant slot is freed. */
  async holdScope(data: ImportJobData, token: string, untilMs: number): Promise<void> {
    const [scope, tenant] = this.slots(data);
    await this.redis.eval(RELEASE, 2, scope, tenant, token, data.job_id, 'keep', Math.max(1, Math.ceil(untilMs - Date.now() + this.leaseMs)));
  }
}
