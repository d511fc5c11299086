/** GET /api/imports/{job_id}/events: Server-Sent Events of one job until it ends. */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import { TERMINAL_STATUSES, type JobRecord } from '../../jobs/types.js';
import type { AppDeps } from '../deps.js';
import { JobIdParams, bearerSecurity, errorResponses } from '../schemas/common.js';
import { JobSchema } from '../schemas/job.js';
import { JobEventStream } from '../sse.js';

export const eventRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  // A stream never ends on its own while the job runs: on shutdown the server would wait for every
  // client to hang up, and the worker beside it would never hand its jobs back.
  const streams = new Set<JobEventStream>();
  const perTenant = new Map<string, number>();
  const maxPerTenant = deps.policy.sseMaxStreamsPerTenant;
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close();
  });

  app.get(
    '/api/imports/:job_id/events',
    {
      config: { notFoundCode: 'JOB_NOT_FOUND' },
      // A HEAD would run the streaming handler and hold the connection open.
      exposeHeadRoute: false,
      schema: {
        tags: ['imports'],
        summary: 'Job changes as Server-Sent Events (event: progress | status; data: the job JSON)',
        security: bearerSecurity,
        params: JobIdParams,
        response: {
          200: { description: 'event stream', content: { 'text/event-stream': { schema: Type.String() } } },
          ...errorResponses(401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { job_id } = request.params;
      const job = await deps.jobs.get(job_id, request.tenantId);
      if (!job) throw new AppError('JOB_NOT_FOUND', 'no such job');
      const tenant = request.tenantId ?? '';
      const open = perTenant.get(tenant) ?? 0;
      if (open >= maxPerTenant) {
        throw new AppError('TOO_MANY_STREAMS', `at most ${maxPerTenant} event streams may be open at once; close one or poll GET /api/imports/{job_id}`, [], 30);
      }

      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      const toJson = reply.compileSerializationSchema(JobSchema as unknown as Record<string, unknown>);
      const serialize = (j: JobRecord) => toJson(j as unknown as Record<string, unknown>);
      const stream = new JobEventStream(reply.raw, {
        heartbeatMs: deps.policy.sseHeartbeatMs,
        serialize,
        refresh: () => deps.jobs.get(job_id, request.tenantId),
      });
      streams.add(stream);
      perTenant.set(tenant, open + 1);
      stream.onClose(() => {
        streams.delete(stream);
        const left = (perTenant.get(tenant) ?? 1) - 1;
        if (left > 0) perTenant.set(tenant, left);
        else perTenant.delete(tenant);
      });
      if (TERMINAL_STATUSES.includes(job.status)) return stream.send(job, 'status');

      try {
        // Subscribe before reading the snapshot, so no change between the two is lost.
        const unsubscribe = await deps.jobs.watch(job_id, (next, kind) => stream.send(next, kind), () => stream.resync());
        stream.onClose(() => {
          unsubscribe().catch((err: unknown) => request.log.warn({ err }, 'job watch cleanup failed'));
        });
        const current = await deps.jobs.get(job_id, request.tenantId);
        stream.sendSnapshot(current ?? job);
      } catch (err) {
        request.log.error({ err }, 'job event stream failed');
        stream.close();
      }
    },
  );
};
