/**
 * Observes every response into http_request_duration_seconds, labelled by route template.
 * A callback hook, not an async one: no promise and microtask turn on every request.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics.js';

export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        // The template, not the URL: ids in paths would explode the label cardinality.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
