/**
 * Prometheus metrics. One registry per app instance (never prom-client's global one), so
 * tests and benchmarks can build many apps in one process without "already registered" errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATUSES, type JobService } from './jobs/types.js';
import { ITEM_ACTIONS } from './items/types.js';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Copies JobService.stats() into the job and item series; on failure the series are emptied, not left stale. */
  refresh(jobs: Pick<JobService, 'stats'>): Promise<void>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const jobsGauge = new Gauge({
    name: 'import_jobs',
    help: 'Import jobs currently tracked in Redis, by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  // A counter in Prometheus terms: the totals are kept in Redis and only ever grow.
  const itemsCounter = new Counter({
    name: 'import_items_total',
    help: 'Work items processed by imports, by action',
    labelNames: ['action'] as const,
    registers: [registry],
  });

  async function refresh(jobs: Pick<JobService, 'stats'>): Promise<void> {
    jobsGauge.reset();
    itemsCounter.reset();
    const stats = await jobs.stats();
    for (const status of JOB_STATUSES) jobsGauge.set({ status }, stats.byStatus[status] ?? 0);
    for (const action of ITEM_ACTIONS) itemsCounter.inc({ action }, stats.itemsImported[action] ?? 0);
  }

  return { registry, httpDuration, refresh };
}
