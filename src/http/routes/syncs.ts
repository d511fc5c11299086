/** /api/syncs (CONTRACT §11): thin handlers over SyncService. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import type { SyncService } from '../../syncs/service.js';
import type { AppDeps } from '../deps.js';
import { effectiveTenant } from '../plugins/auth.js';
import { LIMITS, bearerSecurity, errorResponses } from '../schemas/common.js';
import { importBodyValidator } from '../schemas/import-body.js';
import { jobResponse } from '../schemas/job.js';
import {
  SyncCreatedSchema, SyncEnvelope, SyncIdParams, SyncListQuery, SyncListResponse, SyncPatchBody, documentedSyncBody, syncResponse,
  type SyncBody,
} from '../schemas/sync.js';
import type { Validators } from '../validation.js';

const syncRoute = { config: { notFoundCode: 'SYNC_NOT_FOUND' as const } };
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** PUBLIC_URL, else this request's own origin (a Host header that is not a plain host[:port] is not trusted). */
export function webhookBase(publicUrl: string | null | undefined, request: FastifyRequest): string {
  if (publicUrl) return publicUrl;
  const host = HOST.test(request.host) ? request.host : 'localhost';
  return `${request.protocol}://${host}`;
}

export const syncRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps & { syncs: SyncService }; validators: Validators }> = async (
  app,
  { deps, validators },
) => {
  const authOn = deps.apiKeys !== null;
  const validateBody = importBodyValidator(deps.connectors, validators.compileBody, SyncEnvelope);
  const base = (request: FastifyRequest) => webhookBase(deps.publicUrl, request);
  const tags = ['syncs'];

  app.post(
    '/api/syncs',
    {
      schema: {
        tags,
        summary: 'Create a sync: a saved import run on a schedule (full first, then incremental)',
        security: bearerSecurity,
        body: documentedSyncBody(deps.connectors),
        response: { 201: SyncCreatedSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 503) },
      },
      validatorCompiler: (req) => (req.httpPart === 'body' ? validateBody : validators.compiler(req)),
      preValidation: async (request) => {
        if (!request.headers['content-type']) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
      },
    },
    async (request, reply) => {
      const body: SyncBody = request.body;
      const sync = await deps.syncs.create(body, { tenantId: effectiveTenant(request, body.tenant_id, authOn), webhookBase: base(request) });
      return reply.code(201).header('location', `/api/syncs/${sync.sync_id}`).send(sync);
    },
  );

  app.get(
    '/api/syncs',
    {
      schema: {
        tags,
        summary: 'List syncs, newest first',
        security: bearerSecurity,
        querystring: SyncListQuery,
        response: { 200: SyncListResponse, ...errorResponses(401, 403, 422, 503) },
      },
    },
    async (request) => {
      const { tenant_id, limit, ...filters } = request.query;
      return deps.syncs.list(
        { ...filters, tenantId: effectiveTenant(request, tenant_id, authOn), limit: limit ?? LIMITS.jobs.def },
        base(request),
      );
    },
  );

  app.get(
    '/api/syncs/:sync_id',
    {
      ...syncRoute,
      schema: {
        tags,
        summary: 'One sync',
        security: bearerSecurity,
        params: SyncIdParams,
        response: { 200: syncResponse('the sync'), ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const sync = await deps.syncs.get(request.params.sync_id, request.tenantId, base(request));
      if (!sync) throw new AppError('SYNC_NOT_FOUND', 'no such sync');
      return sync;
    },
  );

  app.patch(
    '/api/syncs/:sync_id',
    {
      ...syncRoute,
      schema: {
        tags,
        summary: 'Pause, resume or reschedule a sync',
        security: bearerSecurity,
        params: SyncIdParams,
        body: SyncPatchBody,
        response: { 200: syncResponse('the sync, changed'), ...errorResponses(400, 401, 404, 415, 422, 503) },
      },
    },
    async (request) => deps.syncs.update(request.params.sync_id, request.tenantId, request.body, base(request)),
  );

  app.post(
    '/api/syncs/:sync_id/run',
    {
      ...syncRoute,
      schema: {
        tags,
        summary: 'Run now (also a paused sync, once): the run\'s job',
        security: bearerSecurity,
        params: SyncIdParams,
        response: { 202: jobResponse('the run, queued'), ...errorResponses(401, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const job = await deps.syncs.runNow(request.params.sync_id, request.tenantId, request.id);
      return reply.code(202).header('location', `/api/imports/${job.job_id}`).send(job);
    },
  );

  app.delete(
    '/api/syncs/:sync_id',
    {
      ...syncRoute,
      schema: {
        tags,
        summary: 'Delete a sync for good; its items and its runs\' jobs stay',
        security: bearerSecurity,
        params: SyncIdParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses(401, 404, 503) },
      },
    },
    async (request, reply) => {
      await deps.syncs.delete(request.params.sync_id, request.tenantId);
      return reply.code(204).send(null);
    },
  );
};
