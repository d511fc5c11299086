/**
 * The HTTP API as one Fastify app: buildApp(deps) for servers and tests (app.inject). Bodies
 * are JSON only (≤ 1 MiB); every response carries X-Request-ID; every error has the envelope.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { SOURCE_TYPES } from '../connectors/connector.js';
import { createMetrics } from '../metrics.js';
import type { AppDeps } from './deps.js';
import { registerAuth } from './plugins/auth.js';
import { registerDocs } from './plugins/docs.js';
import { handleError, registerErrorHandling } from './plugins/errors.js';
import { registerHttpMetrics } from './plugins/http-metrics.js';
import { genReqId, registerRequestId } from './plugins/request-id.js';
import { callbackRoutes } from './routes/callback.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/imports.js';
import { attachmentRoutes } from './routes/attachments.js';
import { itemRoutes } from './routes/items.js';
import { metricsRoutes } from './routes/metrics.js';
import { peopleRoutes } from './routes/people.js';
import { syncRoutes } from './routes/syncs.js';
import { webhookRoutes } from './routes/webhooks.js';
import { registerUi } from './ui.js';
import { createValidators } from './validation.js';
import { parseQueryString } from './query-string.js';

export const BODY_LIMIT = 1024 * 1024;

/** Redacted even if a connector forgets to list them as secretFields. */
const COMMON_SECRET_FIELDS = ['token', 'api_token', 'personal_access_token', 'access_token', 'password', 'client_secret'];

/** Redaction paths: auth headers, and every connector's secret fields wherever a body is logged. */
export function redactPaths(deps: Pick<AppDeps, 'connectors'>): string[] {
  const headers = ['authorization', 'cookie', '"x-api-key"', '"idempotency-key"', '"x-gitlab-token"'].flatMap((h) => [
    `req.headers.${h}`,
    `headers.${h}`,
  ]);
  const secrets = new Set([...COMMON_SECRET_FIELDS, ...SOURCE_TYPES.flatMap((st) => deps.connectors[st].secretFields)]);
  const bodies = [...secrets].flatMap((f) => [
    `source_config.${f}`,
    `body.source_config.${f}`,
    `req.body.source_config.${f}`,
    `input.source_config.${f}`,
  ]);
  return [...headers, ...bodies];
}

function appLogger(deps: AppDeps): Logger {
  return deps.logger.child({ component: 'http' }, { redact: { paths: redactPaths(deps), censor: '[REDACTED]' } });
}

/**
 * JSON is the only body type (anything else is a 415). An empty JSON body is refused only on
 * POST: clients that send `Content-Type: application/json` on every request can still DELETE.
 */
function registerJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method !== 'POST') return done(null, undefined);
    parseJson(request, body as string, done);
  });
}

/** The whole app as one plugin, not encapsulated (skip-override), so its hooks cover every route. */
export const httpApp: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const validators = createValidators();
  const metrics = deps.metrics ?? createMetrics();
  app.setValidatorCompiler(validators.compiler);
  registerRequestId(app);
  registerErrorHandling(app);
  registerAuth(app, deps.apiKeys);
  registerHttpMetrics(app, metrics);
  registerJsonOnly(app);
  await registerDocs(app, deps.version);
  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { deps, metrics });
  await app.register(importRoutes, { deps, validators });
  await app.register(eventRoutes, { deps });
  await app.register(callbackRoutes, { deps });
  await app.register(itemRoutes, { deps });
  await app.register(peopleRoutes, { deps });
  if (deps.syncs) await app.register(syncRoutes, { deps: { ...deps, syncs: deps.syncs }, validators });
  if (deps.webhooks) await app.register(webhookRoutes, { deps: { ...deps, webhooks: deps.webhooks } });
  if (deps.blobs) await app.register(attachmentRoutes, { deps: { ...deps, blobs: deps.blobs } });
  await registerUi(app);
};
Object.assign(httpApp, { [Symbol.for('skip-override')]: true });

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: appLogger(deps),
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    routerOptions: { querystringParser: parseQueryString },
    genReqId,
    requestIdHeader: false,
    // Log lines carry the same name as the error envelope's field.
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    // Framework-level failures (a malformed URL) get the envelope too.
    frameworkErrors: (err, request, reply) => {
      handleError(err, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(httpApp, { deps });
  await app.ready();
  return app as unknown as FastifyInstance;
}
