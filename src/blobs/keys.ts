/**
 * The blob key of one attachment: deterministic (a re-run or a resumed job finds the blob it stored)
 * and made of a hash, so nothing the source chose (names, ids, URLs) reaches a path or an S3 key.
 * The tenant and source type stay readable as the first segments for operators (per-tenant lifecycle
 * rules, du per tenant); the tenant is sanitized, and the hash alone tells attachments apart.
 */
import { createHash } from 'node:crypto';

export interface AttachmentIdentity {
  tenantId: string | null;
  sourceType: string;
  sourceInstance: string;
  itemExternalId: string;
  attachmentExternalId: string;
}

export function attachmentBlobKey(id: AttachmentIdentity): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([id.tenantId, id.sourceType, id.sourceInstance, id.itemExternalId, id.attachmentExternalId]))
    .digest('hex');
  return `${tenantSegment(id.tenantId)}/${segment(id.sourceType)}/${hex.slice(0, 2)}/${hex}`;
}

/** "t-acme"; "_" for no tenant (API keys off). Characters outside [A-Za-z0-9_-] become "_" (so never "." or ".."). */
function tenantSegment(tenant: string | null): string {
  return tenant === null ? '_' : `t-${segment(tenant)}`;
}

const segment = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || '_';
