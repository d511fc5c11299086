/** GET /health: the seed's exact fields plus checks; 503 when a dependency is down. */
import { Type } from 'typebox';
import { probeLogLevel } from '../probe-log-level.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps, HealthReport } from '../deps.js';
import { StringEnum } from '../schemas/common.js';

const UpDown = StringEnum(['up', 'down'] as const);
const HealthResponse = Type.Object(
  {
    status: StringEnum(['healthy', 'unhealthy'] as const),
    service: Type.Literal('integration-service'),
    version: Type.String(),
    environment: Type.String(),
    checks: Type.Object({
      redis: Type.Object({ status: UpDown, latency_ms: Type.Optional(Type.Number()) }),
      database: Type.Object({ status: UpDown }),
    }),
  },
  { additionalProperties: false },
);

/** A probe that hangs counts as down: /health must answer quickly for load balancers. */
async function probe(deps: HealthRouteDeps): Promise<HealthReport> {
  const down: HealthReport = { redis: { status: 'down' }, database: { status: 'down' } };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(() => resolve(down), deps.policy.healthProbeTimeoutMs);
  });
  try {
    return await Promise.race([deps.health(), timeout]);
  } catch (err) {
    deps.logger.warn({ err }, 'health probe failed');
    return down;
  } finally {
    clearTimeout(timer);
  }
}

export type HealthRouteDeps = Pick<AppDeps, 'health' | 'logger' | 'policy' | 'version' | 'environment'>;

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: HealthRouteDeps }> = async (app, { deps }) => {
  app.get(
    '/health',
    {
      logLevel: probeLogLevel(deps.logger),
      schema: {
        tags: ['health'],
        summary: 'Liveness and dependency checks',
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (_request, reply) => {
      const checks = await probe(deps);
      const healthy = checks.redis.status === 'up' && checks.database.status === 'up';
      return reply.code(healthy ? 200 : 503).send({
        status: healthy ? 'healthy' : 'unhealthy',
        service: 'integration-service',
        version: deps.version,
        environment: deps.environment,
        checks,
      });
    },
  );
};
