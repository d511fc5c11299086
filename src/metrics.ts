/**
 * Prometheus metrics. One registry per process (built with its Deps), never prom-client's global
 * one, so tests and benchmarks can build many services in one process without "already registered"
 * errors; in the `all` role the API's /metrics shows the worker's series because they share it.
 *
 * Two kinds of series: counted in this process as things happen (HTTP requests, source requests,
 * jobs that ended here), and read at scrape time (job and queue counts from Redis, up gauges).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATUSES, TERMINAL_STATUSES, type JobRecord, type JobService } from './jobs/types.js';
import { ITEM_ACTIONS } from './items/types.js';
import type { AttemptOutcome, RetryReason, SourceRequestObserver } from './outbound/types.js';
import type { HealthReport } from './http/deps.js';

/** What a scrape reads; each read is bounded by the scrape's timeout. */
export interface ScrapeSources {
  jobs: Pick<JobService, 'stats' | 'queueDepth'>;
  health(): Promise<HealthReport>;
}

/** Told when a run of this process ends a job. */
export interface JobEndObserver {
  jobEnded(job: JobRecord): void;
}

export interface Metrics extends SourceRequestObserver, JobEndObserver {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /**
   * Refreshes the scrape-time series, each read given at most `timeoutMs`. When Redis cannot be
   * read the job and queue series keep their last values (their age is import_stats_age_seconds),
   * so dashboards do not go blank and counters never drop. Resolves with what failed, never rejects.
   */
  refresh(sources: ScrapeSources, timeoutMs: number): Promise<{ what: string; err: unknown }[]>;
}

const JOB_DURATION_BUCKETS = [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

export function createMetrics(now: () => number = Date.now): Metrics {
  const registry = new Registry();
  const created = now();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const jobsGauge = new Gauge({ name: 'import_jobs', help: 'Import jobs currently tracked in Redis, by status', labelNames: ['status'] as const, registers });
  // A counter in Prometheus terms: the totals are kept in Redis and only ever grow.
  const itemsCounter = new Counter({ name: 'import_items_total', help: 'Work items processed by imports, by action', labelNames: ['action'] as const, registers });
  const queueGauge = new Gauge({ name: 'import_queue_jobs', help: 'Entries of the BullMQ import queue, by state', labelNames: ['state'] as const, registers });
  const statsAge = new Gauge({
    name: 'import_stats_age_seconds',
    help: 'Age of the served import_jobs, import_items_total and import_queue_jobs values: 0 when read at this scrape, growing while Redis cannot be read (since start if never read)',
    registers,
  });
  const jobDuration = new Histogram({
    name: 'import_job_duration_seconds',
    help: 'Duration (started to ended) of import jobs ended by this process, by source type and status',
    labelNames: ['source_type', 'status'] as const,
    buckets: JOB_DURATION_BUCKETS,
    registers,
  });
  const jobsEnded = new Counter({
    name: 'import_jobs_ended_total',
    help: 'Import jobs ended by this process, by source type, status and error code ("none" unless failed)',
    labelNames: ['source_type', 'status', 'error_code'] as const,
    registers,
  });
  const sourceRequests = new Counter({
    name: 'source_requests_total',
    help: 'Source request attempts by source type and outcome (ok, retry, rate_limited, error)',
    labelNames: ['source_type', 'outcome'] as const,
    registers,
  });
  const sourceRetries = new Counter({
    name: 'source_retries_total',
    help: 'Source requests retried, by source type and reason (rate_limited, server_error, timeout, network)',
    labelNames: ['source_type', 'reason'] as const,
    registers,
  });
  const sourceRateLimited = new Counter({
    name: 'source_rate_limited_total',
    help: 'Source responses that were rate limits (429 or the vendor\'s own signal), by source type',
    labelNames: ['source_type'] as const,
    registers,
  });
  const redisUp = new Gauge({ name: 'redis_up', help: 'Whether Redis answered a PING at this scrape (1) or not (0)', registers });
  const databaseUp = new Gauge({ name: 'database_up', help: 'Whether the item store answered a ping at this scrape (1) or not (0)', registers });

  let lastRead: number | null = null;

  async function readRedis(jobs: ScrapeSources['jobs'], timeoutMs: number): Promise<void> {
    const [stats, depth] = await withTimeout(Promise.all([jobs.stats(), jobs.queueDepth()]), timeoutMs, 'Redis job stats');
    // Only a complete read replaces the served values: a half-read would mix two moments.
    jobsGauge.reset();
    itemsCounter.reset();
    queueGauge.reset();
    for (const status of JOB_STATUSES) jobsGauge.set({ status }, stats.byStatus[status] ?? 0);
    for (const action of ITEM_ACTIONS) itemsCounter.inc({ action }, stats.itemsImported[action] ?? 0);
    for (const [state, n] of Object.entries(depth)) queueGauge.set({ state }, n);
    lastRead = now();
  }

  async function readHealth(health: ScrapeSources['health'], timeoutMs: number): Promise<void> {
    // A probe that hangs counts as down.
    const down: HealthReport = { redis: { status: 'down' }, database: { status: 'down' } };
    const report = await withTimeout(health(), timeoutMs, 'health probe').catch(() => down);
    redisUp.set(report.redis.status === 'up' ? 1 : 0);
    databaseUp.set(report.database.status === 'up' ? 1 : 0);
  }

  return {
    registry,
    httpDuration,
    async refresh(sources, timeoutMs) {
      const failed: { what: string; err: unknown }[] = [];
      const [fresh] = await Promise.all([
        readRedis(sources.jobs, timeoutMs).then(
          () => true,
          (err: unknown) => {
            failed.push({ what: 'job stats', err });
            return false;
          },
        ),
        readHealth(sources.health, timeoutMs),
      ]);
      statsAge.set(fresh ? 0 : (now() - (lastRead ?? created)) / 1000);
      return failed;
    },
    jobEnded(job) {
      if (!TERMINAL_STATUSES.includes(job.status)) return;
      const labels = { source_type: job.source_type, status: job.status };
      jobsEnded.inc({ ...labels, error_code: job.error_code ?? 'none' });
      // A job cancelled before it started has no duration to tell.
      if (job.started_at && job.completed_at) jobDuration.observe(labels, Math.max(0, Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000);
    },
    attempt(sourceType: string, outcome: AttemptOutcome) {
      sourceRequests.inc({ source_type: sourceType, outcome });
      if (outcome === 'rate_limited') sourceRateLimited.inc({ source_type: sourceType });
    },
    retry(sourceType: string, reason: RetryReason) {
      sourceRetries.inc({ source_type: sourceType, reason });
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
