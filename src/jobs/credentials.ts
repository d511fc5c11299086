/**
 * Source credentials at rest: AES-256-GCM, stored in their own Redis key beside the job record
 * (same TTL) and deleted when the job ends.
 *
 * The additional authenticated data binds the ciphertext to where it may be used: job id, tenant,
 * source type and the origin of base_url. base_url travels in clear in the queue's job data; whoever
 * can write Redis and points it elsewhere gets a job whose credentials no longer decrypt, instead
 * of sending the token to their server. Copied onto another job, it does not decrypt either.
 *
 * CREDENTIALS_KEY is a master key: HKDF derives one subkey for sealing, another for the
 * idempotency HMAC and a third for naming an account's shared rate budget (src/outbound/shared-budget.ts),
 * so no use can serve as an oracle for another.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** v1 envelopes (AAD: job id only) are refused: accepting them would keep the redirect open. */
const VERSION = 'v2';
const TAG_BYTES = 16;

export interface SealContext {
  jobId: string;
  tenantId: string | null;
  sourceType: string;
  /** The base_url the connector will call (its origin is bound). */
  baseUrl: string;
}

const subkeys = new WeakMap<Buffer, Map<string, Buffer>>();

/** A 32-byte subkey of CREDENTIALS_KEY for one purpose. */
export function subkey(master: Buffer, purpose: 'seal' | 'idempotency' | 'rate-budget'): Buffer {
  let byPurpose = subkeys.get(master);
  if (!byPurpose) subkeys.set(master, (byPurpose = new Map()));
  let key = byPurpose.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', master, 'integration-service', `credentials-key:${purpose}`, 32));
    byPurpose.set(purpose, key);
  }
  return key;
}

function aad(ctx: SealContext): Buffer {
  return Buffer.from(JSON.stringify([VERSION, ctx.jobId, ctx.tenantId ?? '', ctx.sourceType, new URL(ctx.baseUrl).origin]));
}

export function encryptSecrets(master: Buffer, ctx: SealContext, secrets: Record<string, unknown>): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', subkey(master, 'seal'), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(ctx));
  const body = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

export function decryptSecrets(master: Buffer, ctx: SealContext, sealed: string): Record<string, unknown> {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new Error('credentials envelope is malformed or from an older version (create the job again)');
  }
  const authTag = Buffer.from(tag, 'base64');
  // A shortened tag would make forgeries cheaper; GCM would accept one unless told the length.
  if (authTag.length !== TAG_BYTES) throw new Error('credentials envelope is malformed');
  const decipher = createDecipheriv('aes-256-gcm', subkey(master, 'seal'), Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(ctx));
  decipher.setAuthTag(authTag);
  try {
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('credentials cannot be decrypted for this job and destination (wrong CREDENTIALS_KEY, or the job data was altered)');
  }
}
