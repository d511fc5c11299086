/**
 * The callback outbox in Redis: one hash per job (`import:callback:{id}`: url, status, attempts,
 * last_attempt_at, last_error, next_at, deadline, body, lease) and a sorted set of due times.
 * save.lua writes the entry in the same call as the job's end; here it is claimed, settled and read.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { JobKeys } from '../keys.js';
import type { CallbackState } from '../types.js';

const lua = (name: string) => readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8');
const CLAIM = lua('callback-claim');
const SETTLE = lua('callback-settle');

/** One attempt to make, as claimed. */
export interface ClaimedCallback {
  jobId: string;
  url: string;
  /** the job record as it ended, JSON */
  body: string;
  /** epoch ms after which a failed attempt is the last */
  deadline: number;
  /** attempts so far, this one included */
  attempts: number;
  token: string;
}

export type Settlement = { status: 'delivered' } | { status: 'failed'; error: string } | { status: 'pending'; error: string; nextAt: number };

export class CallbackOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly keys: JobKeys,
    private readonly leaseMs: number,
  ) {}

  /** Up to `max` due callbacks, leased to the caller for `leaseMs`. */
  async claim(max: number, now = Date.now()): Promise<ClaimedCallback[]> {
    const token = randomUUID();
    const flat = (await this.redis.eval(
      CLAIM, 1, this.keys.callbacksDue, now, this.leaseMs, max, token, this.keys.callbackPrefix, new Date(now).toISOString(),
    )) as string[];
    const out: ClaimedCallback[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      out.push({ jobId: flat[i]!, url: flat[i + 1]!, body: flat[i + 2]!, deadline: Number(flat[i + 3]), attempts: Number(flat[i + 4]), token });
    }
    return out;
  }

  /** false when the lease had lapsed: another claim owns the callback now. */
  async settle(claim: ClaimedCallback, s: Settlement): Promise<boolean> {
    const error = s.status === 'delivered' ? '' : s.error;
    const nextAt = s.status === 'pending' ? s.nextAt : 0;
    const k = this.keys;
    return (await this.redis.eval(SETTLE, 2, k.callback(claim.jobId), k.callbacksDue, claim.token, s.status, error, nextAt, claim.jobId)) === 1;
  }
}

/** null when the job has no callback. Before the job ends its callback is pending, with no attempt yet. */
export async function readCallback(redis: Redis, keys: JobKeys, jobId: string): Promise<CallbackState | null> {
  const [url, status, attempts, lastAttemptAt, lastError] = await redis.hmget(
    keys.callback(jobId), 'url', 'status', 'attempts', 'last_attempt_at', 'last_error',
  );
  if (!url) return null;
  return {
    status: status === 'delivered' || status === 'failed' ? status : 'pending',
    attempts: Number(attempts ?? 0),
    last_attempt_at: lastAttemptAt || null,
    last_error: lastError || null,
  };
}
