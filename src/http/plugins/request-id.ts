/** X-Request-ID: kept when it is 1–128 chars of [A-Za-z0-9._:-] (CONTRACT §6), else a new UUID. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

export function genReqId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && VALID.test(given) ? given : randomUUID();
}

/**
 * Echoes the id on every response: set first thing, so error and 404 replies carry it too.
 * A callback hook, not an async one: no promise and microtask turn on every request.
 */
export function registerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}
