/**
 * The sweeper, run by every worker process: create writes the record and then enqueues, so a Redis
 * drop or a crash between the two leaves a `pending` job that no queue entry will ever run. A pass
 * finds pending jobs older than a grace period whose queue entry is missing (or finished while the
 * record never moved) and queues them again; it also drops expired ids from the list indexes
 * (lua/prune.lua), which listing alone never reaches for an index nobody lists.
 *
 * Many processes at once: a pass takes a lock that lives for one interval, so the deployment runs
 * one pass per interval; a re-enqueue is idempotent anyway (the queue's job id is the import's
 * job id, and retrying a finished entry is one atomic BullMQ move that a second caller loses).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobKeys } from './keys.js';
import type { JobRecords } from './record.js';
import { enqueueImport, type ImportJobData } from './queue.js';
import { JOB_STATUSES } from './types.js';
import { SOURCE_TYPES } from '../connectors/connector.js';
import type { Policy } from '../policy.js';

const PRUNE = readFileSync(new URL('./lua/prune.lua', import.meta.url), 'utf8');

/** Queue states in which the entry will still run (or runs now). */
const WILL_RUN = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

export interface SweeperDeps {
  redis: Redis;
  keys: JobKeys;
  records: JobRecords;
  queue: Queue<ImportJobData>;
  ttlSeconds: number;
  logger: Logger;
  policy: Policy['sweeper'];
}

export interface PassResult {
  /** ids of the jobs queued again */
  requeued: string[];
  /** ids of the jobs failed because they could not be queued again */
  failed: string[];
  /** expired ids dropped from the indexes */
  pruned: number;
}

/** One pass, without the lock (the schedule takes it; tests call this directly). */
export async function sweepOnce(deps: SweeperDeps, now = Date.now()): Promise<PassResult> {
  const result = await requeueLost(deps, now);
  return { ...result, pruned: await pruneIndexes(deps, now) };
}

async function requeueLost(deps: SweeperDeps, now: number): Promise<Omit<PassResult, 'pruned'>> {
  const { redis, keys, policy } = deps;
  const index = keys.index(null, 'pending', undefined);
  // A cursor over the pending index's scores (creation time): a backlog of jobs rightly waiting
  // cannot hide the ones after it from later passes.
  const after = (await redis.hget(keys.sweeperCursor, 'pending')) ?? '';
  const youngest = (now - policy.pendingGraceMs) * 1000;
  const page = await redis.zrangebyscore(index, after ? `(${after}` : '-inf', youngest, 'WITHSCORES', 'LIMIT', 0, policy.pendingBatch);
  const ids = page.filter((_, i) => i % 2 === 0);
  await redis.hset(keys.sweeperCursor, 'pending', ids.length < policy.pendingBatch ? '' : page[page.length - 1]!);
  const out: Omit<PassResult, 'pruned'> = { requeued: [], failed: [] };
  for (const id of ids) {
    const outcome = await requeueIfLost(deps, id);
    if (outcome === 'requeued') out.requeued.push(id);
    else if (outcome === 'failed') out.failed.push(id);
  }
  return out;
}

async function requeueIfLost(deps: SweeperDeps, id: string): Promise<'healthy' | 'requeued' | 'failed'> {
  const { redis, keys, queue, records, logger } = deps;
  const state = await queue.getJobState(id);
  if (WILL_RUN.has(state)) return 'healthy';
  // Read after the queue state: a job that ran meanwhile is no longer pending.
  const job = await records.get(id);
  if (!job || job.status !== 'pending') return 'healthy';
  const log = logger.child({ job_id: id, tenant_id: job.tenant_id, source_type: job.source_type });
  const times = await redis.multi().incr(keys.requeues(id)).expire(keys.requeues(id), deps.ttlSeconds).exec();
  const count = Number(times?.[0]?.[1] ?? 0);
  if (count > deps.policy.maxRequeues) return fail(deps, id, log, `the queue lost this job ${count - 1} times`);
  if (state === 'completed' || state === 'failed') {
    // The entry ended while the record never left pending (its run died before taking the job).
    const entry = await queue.getJob(id);
    const moved = await entry?.retry(state).then(() => true, () => false);
    if (!moved) return 'healthy'; // another process moved it first, or it is gone: a later pass sees which
  } else {
    const data = await redis.get(keys.dispatch(id));
    if (!data) return fail(deps, id, log, 'the job was lost from the queue and cannot be queued again');
    await enqueueImport(queue, JSON.parse(data) as ImportJobData);
  }
  log.warn({ queue_state: state, requeues: count }, 'pending job had no queue entry that would run it: queued again');
  return 'requeued';
}

async function fail(deps: SweeperDeps, id: string, log: Logger, message: string): Promise<'failed'> {
  const r = await deps.records.transition(id, 'failed', { error_code: 'INTERNAL_ERROR', error_message: message });
  if (r.ok) log.error({ error: message }, 'pending job could not be queued again: it fails');
  return 'failed';
}

async function pruneIndexes(deps: SweeperDeps, now: number): Promise<number> {
  const { redis, keys, policy } = deps;
  const cursor = (await redis.hget(keys.sweeperCursor, 'tenant')) ?? '';
  const oldestLive = (now - deps.ttlSeconds * 1000) * 1000;
  const [dropped, , next] = (await redis.eval(
    PRUNE, 1, keys.tenants, keys.indexPrefix, keys.recordPrefix, oldestLive, policy.pruneBudget, policy.pruneTenants, cursor,
    JOB_STATUSES.join(','), SOURCE_TYPES.join(','),
  )) as [number, number, string];
  await redis.hset(keys.sweeperCursor, 'tenant', next);
  return dropped;
}

/**
 * Tries a pass now and then every `everyMs`; a pass runs where the interval's lock was won.
 * The returned stop ends the schedule and resolves when a pass under way has ended.
 */
export function scheduleSweeper(deps: SweeperDeps): () => Promise<void> {
  const { redis, keys, policy, logger } = deps;
  let current: Promise<void> | null = null;
  const pass = async () => {
    try {
      const won = await redis.set(keys.sweeperLock, randomUUID(), 'PX', policy.everyMs, 'NX');
      if (won !== 'OK') return;
      const r = await sweepOnce(deps);
      if (r.pruned > 0) logger.info({ ids: r.pruned }, 'dropped expired ids from the job indexes');
    } catch (err) {
      logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'sweeper pass failed; the next one retries');
    }
  };
  const run = () => {
    current ??= pass().finally(() => (current = null));
  };
  run();
  const timer = setInterval(run, policy.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
