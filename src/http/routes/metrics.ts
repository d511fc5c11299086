/** GET /metrics (Prometheus text) and the hook that times every request into the histogram. */
import { probeLogLevel } from '../probe-log-level.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics.js';
import type { AppDeps } from '../deps.js';

export const metricsRoutes: FastifyPluginAsync<{ deps: AppDeps; metrics: Metrics }> = async (
  app,
  { deps, metrics },
) => {
  app.get('/metrics', { logLevel: probeLogLevel(deps.logger), schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (request, reply) => {
    try {
      await metrics.refresh(deps.jobs);
    } catch (err) {
      // Process and HTTP series are still worth scraping when Redis is down.
      request.log.warn({ err }, 'job stats unavailable for /metrics');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
