/**
 * The one place errors become HTTP responses, always with the contract's envelope
 * {error_code, error_message, details, request_id}. 5xx responses say nothing of internals;
 * messages of Fastify's own errors are replaced, since some would echo request content.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type ErrorDetail } from '../../errors.js';
import { toDetails } from '../validation.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The code a malformed or unknown id in this route's params answers with. */
    notFoundCode?: ErrorCode;
  }
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  details: ErrorDetail[] = [],
): FastifyReply {
  return reply
    .code(status)
    .header('x-request-id', reply.request.id)
    .type('application/json; charset=utf-8')
    .send({ error_code: code, error_message: message, details, request_id: reply.request.id });
}

type Mapped = [status: number, code: ErrorCode, message: string, details?: ErrorDetail[]];

const FASTIFY_CODES: Record<string, Mapped> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'request body is empty'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'request body exceeds 1 MiB'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Content-Length does not match the body'],
  FST_ERR_BAD_URL: [400, 'BAD_REQUEST', 'the URL is not valid'],
};

/** Per-resource paths the router could not match (e.g. an id longer than maxParamLength). */
const RESOURCE_PATHS: [RegExp, ErrorCode][] = [
  [/^\/api\/imports\/[^/]+(\/(events|items))?\/?$/, 'JOB_NOT_FOUND'],
  [/^\/api\/items\/[^/]+\/?$/, 'ITEM_NOT_FOUND'],
  [/^\/api\/syncs\/[^/]+(\/run)?\/?$/, 'SYNC_NOT_FOUND'],
];

function notFound(request: FastifyRequest): Mapped {
  const path = request.url.split('?')[0]!;
  const resource = RESOURCE_PATHS.find(([re]) => re.test(path));
  return resource ? [404, resource[1], 'not found'] : [404, 'NOT_FOUND', 'no such route'];
}

function notFoundCodeOf(request: FastifyRequest): ErrorCode {
  return request.routeOptions.config?.notFoundCode ?? 'NOT_FOUND';
}

function classify(err: FastifyError & { validationContext?: string }, request: FastifyRequest): Mapped {
  // An outage is named, never described: the database's own text stays in the log.
  if (err instanceof AppError && err.code === 'STORE_UNAVAILABLE') return [503, err.code, 'the item store is unavailable; retry later'];
  if (err instanceof AppError) return [err.httpStatus, err.code, err.message, err.details];
  if (err.validation) {
    // A malformed id is simply an id that names nothing (CONTRACT §6).
    if (err.validationContext === 'params') return [404, notFoundCodeOf(request), 'not found'];
    // Body and query paths are JSON pointers into the part (/options/batch_size, /limit); a header's is its name.
    const details = toDetails(err.validation);
    if (err.validationContext === 'headers') for (const d of details) d.path = d.path.replace(/^\//, '');
    return [422, 'VALIDATION_ERROR', 'request validation failed', details];
  }
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return notFound(request);
  const known = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (known) return known;
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return [status, 'BAD_REQUEST', 'the request could not be processed'];
  return [500, 'INTERNAL_ERROR', 'internal error'];
}

export function handleError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const [status, code, message, details] = classify(err, request);
  // An expected outage (503) is a warning without a stack; anything else 5xx is a bug.
  if (status === 503) request.log.warn({ error_code: code, error: err.message }, 'request failed: dependency unavailable');
  else if (status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ error_code: code, status }, 'request refused');
  if (err instanceof AppError && err.retryAfterS !== null) reply.header('retry-after', String(err.retryAfterS));
  return sendError(reply, status, code, message, details);
}

/** A route template as a path matcher: `:param` is one segment, `*` the rest. */
function templateMatcher(url: string): RegExp {
  const segments = url.split('/').map((seg) => {
    if (seg.startsWith(':')) return '[^/]+';
    if (seg === '*') return '.*';
    return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}/?$`);
}

/**
 * Not found, unless the path is a route's under another method: then 405 with `Allow`
 * (a PATCH to an existing job must not read as "no such job"). Routes are collected as they are
 * added, so this must be registered before any route.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  const routes: { match: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    routes.push({ match: templateMatcher(route.url), methods: ([] as string[]).concat(route.method) });
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((r) => r.match.test(path)).flatMap((r) => r.methods))].sort();
    if (allowed.length === 0 || allowed.includes(request.method)) return sendError(reply, ...notFound(request));
    reply.header('allow', allowed.join(', '));
    return sendError(reply, 405, 'METHOD_NOT_ALLOWED', `${request.method} is not supported here; use ${allowed.join(', ')}`);
  });
}
