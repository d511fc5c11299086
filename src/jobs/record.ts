/**
 * The job record in Redis (CONTRACT §3): the source of truth for status and progress.
 * Every write goes through one Lua script (lua/save.lua) that refuses illegal transitions and
 * writes with EX ttl; listing goes through sorted-set indexes (lua/list.lua), never KEYS/SCAN.
 */
import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';
import type { ImportedItemRef, JobPage, JobProgress, JobRecord, JobStatus, ListFilter } from './types.js';
import { NO_TENANT, type JobKeys } from './keys.js';
import type { ImportJobData } from './queue.js';
import { DEFAULT_POLICY } from '../policy.js';

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
const SCRIPTS = { saveJob: lua('save'), createJob: lua('create'), listJobs: lua('list'), countJobs: lua('count') };

type Reply = [string, string?, number?];

import type { ClientContext } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    saveJob(...args: (string | number)[]): Result<Reply, Context>;
    createJob(...args: (string | number)[]): Result<Reply, Context>;
    listJobs(...args: (string | number)[]): Result<string[], Context>;
    countJobs(...args: (string | number)[]): Result<number, Context>;
  }
}

export type SaveResult = { ok: true; job: JobRecord } | { ok: false; status: JobStatus | null };
/** A batch's save: whether it landed (the record is not sent back). */
export type ProgressResult = { ok: true } | { ok: false; status: JobStatus | null };
/** `lostRuns`: earlier runs that started and never ended cleanly, since the last stored batch. */
export type TakeResult = { ok: true; job: JobRecord; lostRuns: number } | { ok: false; status: JobStatus | null };

/** The callback URL lives as long as its waiting job; an outbox entry (a status: the job ended) keeps its own TTL. */
const KEEP_CALLBACK = `
if redis.call('HEXISTS', KEYS[1], 'status') == 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 0`;

/** A run handed back cleanly is not lost, unless another worker has taken the job since. */
const END_RUN = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 0`;

export interface ProgressWrite {
  progress: JobProgress;
  checkpoint: string;
  items: ImportedItemRef[];
  counters: Partial<Record<string, number>>;
  /** The run's progress note still in force (a wait not yet over), or null (default) to clear it. */
  note?: string | null;
}

export type CreateResult =
  | { kind: 'created'; job: JobRecord }
  | { kind: 'replay'; job: JobRecord }
  | { kind: 'reused' }
  | { kind: 'gone' }
  | { kind: 'quota'; pending: number };

export class JobRecords {
  constructor(
    readonly redis: Redis,
    readonly keys: JobKeys,
    readonly ttlSeconds: number,
    /** callbacks are retried this long after the job ended (policy.callback.horizonMs) */
    readonly callbackHorizonMs = DEFAULT_POLICY.callback.horizonMs,
  ) {
    for (const [name, source] of Object.entries(SCRIPTS)) {
      const numberOfKeys = name === 'listJobs' || name === 'countJobs' ? 1 : name === 'createJob' ? 7 : 8;
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua: source });
    }
  }

  /**
   * `maxQueued`: the tenant's pending jobs beyond which creation is refused (0 = no limit).
   * `callbackUrl` is kept beside the record (not in it) until the job ends and its callback is due.
   * `dispatch`: the queue entry's data, kept beside the record so the sweeper can re-make a lost entry.
   */
  async create(
    job: JobRecord, sealedCredentials: string, idempotency: { keyHash: string; bodyHash: string } | null, maxQueued = 0,
    callbackUrl: string | null = null, dispatch: ImportJobData | null = null,
  ): Promise<CreateResult> {
    const k = this.keys;
    const tenant = job.tenant_id ?? NO_TENANT;
    const [kind, json] = await this.redis.createJob(
      k.record(job.job_id), k.credentials(job.job_id),
      idempotency ? k.idempotency(tenant, idempotency.keyHash) : k.idempotency(tenant, '-'), k.sequence, k.callback(job.job_id),
      k.dispatch(job.job_id), k.tenants,
      JSON.stringify(job), sealedCredentials, this.ttlSeconds, job.job_id, idempotency?.bodyHash ?? '',
      Date.parse(job.created_at), tenant, job.status, job.source_type, k.indexPrefix, k.recordPrefix,
      job.tenant_id === null ? 0 : maxQueued, callbackUrl ?? '', dispatch ? JSON.stringify(dispatch) : '',
    );
    if (kind === 'created' || kind === 'replay') return { kind, job: JSON.parse(json!) as JobRecord };
    if (kind === 'quota') return { kind, pending: Number(json) };
    return kind === 'reused' ? { kind } : { kind: 'gone' };
  }

  async get(id: string): Promise<JobRecord | null> {
    const json = await this.getJson(id);
    return json ? (JSON.parse(json) as JobRecord) : null;
  }

  /** The record's JSON text as stored (null when missing or expired). */
  getJson(id: string): Promise<string | null> {
    return this.redis.get(this.keys.record(id));
  }

  credentials(id: string): Promise<string | null> {
    return this.redis.get(this.keys.credentials(id));
  }

  checkpoint(id: string): Promise<string | null> {
    return this.redis.get(this.keys.checkpoint(id));
  }

  /**
   * Status change; `owner` is the worker's run token ('' for the API). While a job is processing its
   * `error_message` is a progress note (`note`); no status change keeps it, a failure replaces it.
   */
  transition(id: string, to: JobStatus, patch: Partial<JobRecord> = {}, owner = ''): Promise<SaveResult> {
    return this.save(id, 'transition', to, { error_message: null, ...patch }, owner, '', [], {});
  }

  /**
   * The run's progress note in `error_message` ("retrying 2/6: cannot resolve api.github.com"), or null
   * to clear it: refused unless the job is processing and owned by `owner`, so it never lands on an ended job.
   */
  note(id: string, owner: string, text: string | null): Promise<SaveResult> {
    return this.save(id, 'note', '', { error_message: text }, owner, '', [], {});
  }

  /** A worker takes the job (→ processing, `owner` becomes its owner): a run starts. */
  async take(id: string, owner: string): Promise<TakeResult> {
    const [result, runs] = await this.saveCounting(id, 'transition', 'processing', {}, owner, '', [], {});
    return result.ok ? { ...result, lostRuns: runs - 1 } : result;
  }

  /** A job waiting in the queue (busy scope, tenant at its limit) keeps its record and credentials alive. */
  async keepAlive(id: string): Promise<void> {
    const k = this.keys;
    await this.redis.multi().expire(k.record(id), this.ttlSeconds).expire(k.credentials(id), this.ttlSeconds).expire(k.checkpoint(id), this.ttlSeconds)
      .expire(k.dispatch(id), this.ttlSeconds).eval(KEEP_CALLBACK, 1, k.callback(id), this.ttlSeconds).exec();
  }

  /** The run of `owner` ended without finishing the job (handed back to the queue). */
  async endRun(id: string, owner: string): Promise<void> {
    await this.redis.eval(END_RUN, 2, this.keys.owner(id), this.keys.unfinishedRuns(id), owner);
  }

  /**
   * The job meets an item-store outage: when it began (the first hand-back for it, kept across
   * workers) and how many hand-backs it has cost, this one included.
   */
  async storeOutage(id: string, now: number): Promise<{ since: number; handBacks: number }> {
    const key = this.keys.storeOutage(id);
    const replies = await this.redis.multi().hsetnx(key, 'since', now).hincrby(key, 'hand_backs', 1).hget(key, 'since')
      .expire(key, this.ttlSeconds).exec();
    if (!replies || replies.some(([err]) => err)) throw new Error('could not record the item-store outage');
    return { since: Number(replies[2]![1]), handBacks: Number(replies[1]![1]) };
  }

  /** The item store took a batch: the outage (if any) is over, the next one is counted afresh. */
  async storeAnswered(id: string): Promise<void> {
    await this.redis.del(this.keys.storeOutage(id));
  }

  /**
   * Progress + checkpoint of one batch; refused unless the job is processing and owned by `owner`.
   * The progress note goes with it: the one still in force, else none (the wait it told of is over).
   */
  async saveProgress(id: string, owner: string, write: ProgressWrite): Promise<ProgressResult> {
    const patch = { progress: write.progress, error_message: write.note ?? null };
    const [kind, status] = await this.saveRaw(id, 'progress', '', patch, owner, write.checkpoint, write.items, write.counters);
    return kind === 'ok' ? { ok: true } : { ok: false, status: (status as JobStatus | undefined) ?? null };
  }

  private async save(...args: Parameters<JobRecords['saveCounting']>): Promise<SaveResult> {
    return (await this.saveCounting(...args))[0];
  }

  /** The save, and the job's unfinished runs after it. */
  private async saveCounting(...args: Parameters<JobRecords['saveRaw']>): Promise<[SaveResult, number]> {
    const [kind, payload, runs] = await this.saveRaw(...args);
    if (kind === 'ok') return [{ ok: true, job: JSON.parse(payload!) as JobRecord }, Number(runs ?? 0)];
    return [{ ok: false, status: (payload as JobStatus | undefined) ?? null }, 0];
  }

  /** lua/save.lua's reply: a progress write is answered without the record (its writer needs only `ok`). */
  private saveRaw(
    id: string, op: string, to: string, patch: object, owner: string,
    checkpoint: string, items: ImportedItemRef[], counters: object,
  ): Promise<Reply> {
    const k = this.keys;
    const now = new Date();
    // A callback given up on stays visible as long as a job record would.
    const callbackTtl = Math.ceil(this.callbackHorizonMs / 1000) + this.ttlSeconds;
    return this.redis.saveJob(
      k.record(id), k.credentials(id), k.checkpoint(id), k.owner(id), k.counters, k.unfinishedRuns(id),
      k.callback(id), k.callbacksDue,
      op, to, JSON.stringify(patch), now.toISOString(), this.ttlSeconds, owner, checkpoint,
      JSON.stringify(items), JSON.stringify(counters), k.indexPrefix, k.events(id), k.cancelChannel,
      now.getTime(), this.callbackHorizonMs, callbackTtl,
    );
  }

  async list(filter: ListFilter): Promise<JobPage> {
    const k = this.keys;
    const index = k.index(filter.tenant_id, filter.status, filter.source_type);
    const oldestLive = (Date.now() - this.ttlSeconds * 1000) * 1000;
    const [total, next, ...jsons] = await this.redis.listJobs(index, filter.cursor ?? '+inf', filter.limit, k.recordPrefix, oldestLive);
    return {
      jobs: jsons.map((j: string) => JSON.parse(j) as JobRecord),
      total: Number(total),
      next_cursor: next ? String(next) : null,
    };
  }

  /** Live jobs by status (expired ids met on the way are dropped, at most 500 per status and call). */
  async countByStatus(statuses: readonly JobStatus[]): Promise<number[]> {
    const oldestLive = (Date.now() - this.ttlSeconds * 1000) * 1000;
    return Promise.all(statuses.map(async (s) => Number(await this.redis.countJobs(this.keys.index(null, s, undefined), this.keys.recordPrefix, oldestLive, 500))));
  }

  async itemCounters(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.keys.counters);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }
}
