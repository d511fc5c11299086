/**
 * API keys (CONTRACT §1 API_KEYS): when configured, every /api/* request needs
 * `Authorization: Bearer <key>`, and the key's tenant becomes request.tenantId. Keys are compared
 * as SHA-256 digests with timingSafeEqual against every configured key, so neither the match
 * position nor the key length shows in the timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route authenticates its callers its own way (vendor webhooks), not with an API key */
    apiKey?: boolean;
  }
  interface FastifyRequest {
    /** The caller's tenant from its API key; null when auth is off. */
    tenantId: string | null;
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function keyLookup(apiKeys: Map<string, string>): (key: string) => string | null {
  const entries = [...apiKeys].map(([key, tenant]) => ({ hash: digest(key), tenant }));
  return (key) => {
    const h = digest(key);
    let found: string | null = null;
    for (const e of entries) if (timingSafeEqual(e.hash, h) && found === null) found = e.tenant;
    return found;
  };
}

export function registerAuth(app: FastifyInstance, apiKeys: Map<string, string> | null): void {
  app.decorateRequest('tenantId', null);
  if (!apiKeys) return;
  const lookup = keyLookup(apiKeys);
  // A callback hook, not an async one: no promise and microtask turn on every request.
  app.addHook('onRequest', (request, reply, done) => {
    // routeOptions is a getter that builds an object: read once.
    const route = request.routeOptions;
    if (!isApi(request, route.url) || route.config?.apiKey === false) return done();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    const tenant = match ? lookup(match[1]!) : null;
    if (tenant === null) {
      // RFC 9110 §15.5.2: a 401 names the scheme it wants.
      reply.header('www-authenticate', 'Bearer');
      return done(new AppError('UNAUTHORIZED', match ? 'unknown API key' : 'missing bearer API key'));
    }
    request.tenantId = tenant;
    done();
  });
}

const isApiPath = (p: string) => p === '/api' || p.startsWith('/api/');

/** By the matched route template (immune to URL-encoding tricks), or the raw path for 404s. */
function isApi(request: FastifyRequest, route: string | undefined): boolean {
  return (route !== undefined && isApiPath(route)) || isApiPath(request.url.split('?')[0]!);
}

/**
 * The tenant a request acts for: the key's tenant when auth is on (an explicit different one
 * is 403), else the tenant the caller named, else null (no tenancy).
 */
export function effectiveTenant(request: FastifyRequest, requested: string | undefined, authOn: boolean): string | null {
  if (!authOn) return requested ?? null;
  if (requested !== undefined && requested !== request.tenantId) {
    throw new AppError('FORBIDDEN', 'this API key may not act for that tenant');
  }
  return request.tenantId;
}
