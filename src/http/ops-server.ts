/**
 * METRICS_PORT: GET /metrics and GET /health, and nothing else, on a port of their own. It lets a
 * worker-only process be scraped (its job and source counters live in no other process), and lets
 * any role keep its metrics off the API's port. Bound to HOST like the API.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Metrics } from '../metrics.js';
import { healthRoutes, type HealthRouteDeps } from './routes/health.js';
import { metricsRoutes, type MetricsRouteDeps } from './routes/metrics.js';
import { genReqId } from './plugins/request-id.js';

export type OpsDeps = HealthRouteDeps & MetricsRouteDeps & { metrics: Metrics };

/** Listens before it resolves; the caller closes it. */
export async function serveOps(deps: OpsDeps, port: number, host: string): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'metrics-http' }),
    genReqId,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { deps, metrics: deps.metrics });
  try {
    await app.listen({ port, host });
  } catch (err) {
    await app.close();
    throw err;
  }
  return app as unknown as FastifyInstance;
}

/** The port actually bound (METRICS_PORT=0 picks a free one). */
export function boundPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
