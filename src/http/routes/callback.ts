/** GET /api/imports/{job_id}/callback: where the job's completion callback stands. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { CallbackStateSchema } from '../schemas/callback.js';
import { JobIdParams, bearerSecurity, errorResponses } from '../schemas/common.js';

export const callbackRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/api/imports/:job_id/callback',
    {
      config: { notFoundCode: 'JOB_NOT_FOUND' },
      schema: {
        tags: ['imports'],
        summary: 'The completion callback: delivered at least once, retried with backoff for 24 h after the job ended',
        security: bearerSecurity,
        params: JobIdParams,
        response: { 200: CallbackStateSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const state = await deps.jobs.callback(request.params.job_id, request.tenantId);
      if (!state) throw new AppError('JOB_NOT_FOUND', 'no such job, or it has no callback_url');
      return state;
    },
  );
};
