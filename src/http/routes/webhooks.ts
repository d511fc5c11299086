/**
 * POST /api/webhooks/{sync_id} (CONTRACT §12): no API key (the auth plugin skips routes with
 * `config.apiKey: false`); the vendor's own signature with the sync's webhook_secret instead. The
 * body stays raw bytes — an HMAC covers exactly what was sent — so this plugin context parses every
 * content type as a Buffer, under the same 1 MiB limit (413 beyond).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebhookReceiver } from '../../webhooks/receive.js';
import type { AppDeps } from '../deps.js';
import { errorResponses } from '../schemas/common.js';
import { SyncIdParams } from '../schemas/sync.js';
import { WebhookReceipt } from '../schemas/webhook.js';

export const webhookRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps & { webhooks: WebhookReceiver } }> = async (app, { deps }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/api/webhooks/:sync_id',
    {
      config: { apiKey: false, notFoundCode: 'SYNC_NOT_FOUND' },
      schema: {
        tags: ['syncs'],
        summary: 'A vendor webhook delivery for a sync: verified with the sync\'s webhook_secret, answered at once, the named item then read from the source and stored',
        description: 'GitHub X-Hub-Signature-256, GitLab X-Gitlab-Token, Jira X-Hub-Signature, ServiceNow X-Signature-256 (sha256=HMAC of the raw body). No API key.',
        params: SyncIdParams,
        response: { 202: WebhookReceipt, ...errorResponses(400, 401, 404, 413, 422, 503) },
      },
    },
    async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receipt = await deps.webhooks.receive(request.params.sync_id, request.headers, body);
      return reply.code(202).send(receipt);
    },
  );
};
