/** GET /metrics: Prometheus text, with the scrape-time series read first (bounded, never failing the scrape). */
import { probeLogLevel } from '../probe-log-level.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics.js';
import type { AppDeps } from '../deps.js';

export type MetricsRouteDeps = Pick<AppDeps, 'jobs' | 'health' | 'logger' | 'policy'>;

export const metricsRoutes: FastifyPluginAsync<{ deps: MetricsRouteDeps; metrics: Metrics }> = async (
  app,
  { deps, metrics },
) => {
  app.get('/metrics', { logLevel: probeLogLevel(deps.logger), schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (request, reply) => {
    const failed = await metrics.refresh({ jobs: deps.jobs, health: deps.health }, deps.policy.metricsReadTimeoutMs);
    // Process, HTTP and source series are still worth scraping when Redis is down.
    // Expected during an outage and repeated every scrape: one line with the reason, no stack.
    for (const { what, err } of failed) {
      request.log.warn({ error: err instanceof Error ? err.message : String(err) }, `${what} unavailable for /metrics: the last values read are served`);
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
