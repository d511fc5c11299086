/** GET /api/imports/{job_id}/items (a job's item log), GET /api/items[/{id}] (the store) and GET /api/items/changes (its feed). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { effectiveTenant } from '../plugins/auth.js';
import { ItemIdParams, JobIdParams, LIMITS, bearerSecurity, errorResponses } from '../schemas/common.js';
import {
  ItemChangesQuery, ItemChangesResponse, ItemListQuery, ItemListResponse, JobItemsQuery, JobItemsResponse, WorkItemSchema,
} from '../schemas/item.js';

export const itemRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const authOn = deps.apiKeys !== null;

  app.get(
    '/api/imports/:job_id/items',
    {
      config: { notFoundCode: 'JOB_NOT_FOUND' },
      schema: {
        tags: ['imports'],
        summary: 'Every item the job touched and what happened to it (action=failed: what failed and why)',
        security: bearerSecurity,
        params: JobIdParams,
        querystring: JobItemsQuery,
        response: { 200: JobItemsResponse, ...errorResponses(401, 404, 422, 503) },
      },
    },
    async (request) => {
      // The job's visibility decides: another tenant's job is 404 here as everywhere.
      const job = await deps.jobs.get(request.params.job_id, request.tenantId);
      if (!job) throw new AppError('JOB_NOT_FOUND', 'no such job');
      const { limit, ...rest } = request.query;
      return deps.items.jobItems(job.job_id, { ...rest, limit: limit ?? LIMITS.items.def });
    },
  );

  app.get(
    '/api/items',
    {
      schema: {
        tags: ['items'],
        summary: 'Normalized work items',
        security: bearerSecurity,
        querystring: ItemListQuery,
        response: { 200: ItemListResponse, ...errorResponses(401, 403, 422, 503) },
      },
    },
    async (request) => {
      const { tenant_id, limit, updated_since, ...filters } = request.query;
      return deps.items.listItems({
        ...filters,
        ...(updated_since !== undefined && { updated_since: new Date(updated_since) }),
        tenantId: effectiveTenant(request, tenant_id, authOn),
        limit: limit ?? LIMITS.items.def,
      });
    },
  );

  app.get(
    '/api/items/changes',
    {
      schema: {
        tags: ['items'],
        summary: 'Created, updated and deleted items in commit order; follow next_cursor to poll',
        security: bearerSecurity,
        querystring: ItemChangesQuery,
        response: { 200: ItemChangesResponse, ...errorResponses(401, 403, 410, 422, 503) },
      },
    },
    async (request) => {
      const { tenant_id, limit, cursor } = request.query;
      return deps.items.changes({
        ...(cursor !== undefined && { cursor }),
        tenantId: effectiveTenant(request, tenant_id, authOn),
        limit: limit ?? LIMITS.items.def,
      });
    },
  );

  app.get(
    '/api/items/:id',
    {
      config: { notFoundCode: 'ITEM_NOT_FOUND' },
      schema: {
        tags: ['items'],
        summary: 'One normalized work item',
        security: bearerSecurity,
        params: ItemIdParams,
        response: { 200: WorkItemSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const item = await deps.items.getItem(request.params.id, request.tenantId);
      if (!item) throw new AppError('ITEM_NOT_FOUND', 'no such item');
      return item;
    },
  );
};
