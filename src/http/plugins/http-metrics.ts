/** Observes every response into http_request_duration_seconds, labelled by route template. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics.js';

export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        // The template, not the URL: ids in paths would explode the label cardinality.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
