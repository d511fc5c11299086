/**
 * At most one running job per (tenant, source_type, source_instance, scope): a Redis lease whose
 * value is the holding job id. The holder renews it while it runs; a crashed holder's lease runs
 * out, and the holder's own re-delivery takes it back at once.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobKeys } from './keys.js';
import type { ImportJobData } from './queue.js';

const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class ScopeLocks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: JobKeys,
    readonly leaseMs: number,
  ) {}

  key(data: ImportJobData): string {
    const id = [data.tenant_id ?? '', data.source_type, data.source_instance, data.scope].join('\u0000');
    return this.keys.scopeLock(createHash('sha256').update(id).digest('hex').slice(0, 32));
  }

  /** Takes or renews the lease for `leaseMs` (longer while the job waits in the queue for a source). */
  async acquire(data: ImportJobData, leaseMs = this.leaseMs): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE, 1, this.key(data), data.job_id, Math.ceil(leaseMs))) === 1;
  }

  async release(data: ImportJobData): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(data), data.job_id);
  }
}
