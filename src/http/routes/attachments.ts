/**
 * GET /api/items/{id}/attachments/{attachment_id}: the downloaded content of one attachment
 * (issue 12), streamed from the blob store. Scoped like GET /api/items/{id}: another tenant's item
 * is 404. Served as a download (Content-Disposition: attachment, nosniff, a sandboxing CSP), so
 * content from a source (HTML, SVG) never runs as this service's pages.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import type { BlobStore } from '../../blobs/types.js';
import { bearerSecurity, errorResponses } from '../schemas/common.js';

const Params = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    attachment_id: Type.String({ minLength: 1, maxLength: 2048, description: 'the attachment\'s external_id (percent-encoded)' }),
  },
  { additionalProperties: false },
);

const Content = {
  description: 'the attachment\'s bytes as downloaded and checked (ETag: their SHA-256)',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps & { blobs: Pick<BlobStore, 'get'> } }> = async (app, { deps }) => {
  app.get(
    '/api/items/:id/attachments/:attachment_id',
    {
      config: { notFoundCode: 'NOT_FOUND' },
      schema: {
        tags: ['items'],
        summary: 'The downloaded content of one attachment (options.download_attachments)',
        security: bearerSecurity,
        params: Params,
        response: { 200: Content, ...errorResponses(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const item = await deps.items.getItem(request.params.id, request.tenantId);
      if (!item) throw new AppError('ITEM_NOT_FOUND', 'no such item');
      const att = item.attachments.find((a) => a.external_id === request.params.attachment_id);
      if (!att) throw new AppError('NOT_FOUND', 'the item has no such attachment');
      if (!att.content) throw new AppError('NOT_FOUND', 'the attachment\'s content was not downloaded (see the item\'s completeness.attachments)');
      const blob = await deps.blobs.get(att.content.blob_key).catch(() => {
        throw new AppError('STORE_UNAVAILABLE', 'the blob store cannot be read');
      });
      // The item names a blob that is gone (removed by hand, another BLOB_DIR): the item is right, the content is not here.
      if (!blob || blob.info.sha256 !== att.content.sha256) throw new AppError('NOT_FOUND', 'the attachment\'s content is not in the blob store');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(blob.info.size))
        .header('content-disposition', `attachment; filename="${asciiName(att.name)}"; filename*=UTF-8''${encodeURIComponent(att.name)}`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('etag', `"${blob.info.sha256}"`)
        .header('x-attachment-media-type', att.media_type ?? blob.info.media_type ?? 'application/octet-stream')
        .send(blob.body);
    },
  );
};

/** The name's printable ASCII for the plain filename= (quotes and backslashes dropped); filename* carries it whole. */
const asciiName = (name: string) => name.replace(/[^\x20-\x7e]|["\\]/g, '_').slice(0, 200) || 'attachment';
