/**
 * A sync's secrets at rest: its source credentials and its webhook secret, each sealed with
 * CREDENTIALS_KEY as a job's credentials are (AES-256-GCM, bound to the sync, tenant, source type
 * and base_url origin). The webhook secret must be recoverable to verify vendor signatures (§12),
 * so it is sealed, not hashed. A run re-seals the credentials for its own job (src/syncs/runs.ts).
 */
import { randomBytes } from 'node:crypto';
import { decryptSecrets, encryptSecrets, type SealContext } from '../jobs/credentials.js';
import type { SyncRow } from './types.js';

type Where = Pick<SyncRow, 'sync_id' | 'tenant_id' | 'source_type' | 'base_url'>;

const context = (s: Where, purpose: 'credentials' | 'webhook'): SealContext => ({
  // Never a job id (a uuid alone): a sync's envelope does not open as a job's, nor the other way.
  jobId: `sync-${purpose}:${s.sync_id}`,
  tenantId: s.tenant_id,
  sourceType: s.source_type,
  baseUrl: s.base_url,
});

/** '' when the source needs no secret. */
export function sealSyncCredentials(key: Buffer, s: Where, secrets: Record<string, unknown>): string {
  return Object.keys(secrets).length ? encryptSecrets(key, context(s, 'credentials'), secrets) : '';
}

export function openSyncCredentials(key: Buffer, s: Where & Pick<SyncRow, 'sealed_credentials'>): Record<string, unknown> {
  return s.sealed_credentials ? decryptSecrets(key, context(s, 'credentials'), s.sealed_credentials) : {};
}

/** 32 random bytes, base64url (43 characters): shown once, at creation. */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sealWebhookSecret(key: Buffer, s: Where, secret: string): string {
  return encryptSecrets(key, context(s, 'webhook'), { webhook_secret: secret });
}

export function openWebhookSecret(key: Buffer, s: Where & Pick<SyncRow, 'sealed_webhook_secret'>): string {
  const opened = decryptSecrets(key, context(s, 'webhook'), s.sealed_webhook_secret);
  return String(opened.webhook_secret);
}
