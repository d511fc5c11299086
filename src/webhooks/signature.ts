/**
 * Each vendor's own way of signing a webhook delivery with the sync's webhook_secret (CONTRACT §12):
 * - GitHub `X-Hub-Signature-256`, Jira `X-Hub-Signature`, ServiceNow (our business rule)
 *   `X-Signature-256`: `sha256=` + hex HMAC-SHA256 of the raw body;
 * - GitLab `X-Gitlab-Token`: the secret itself.
 * ServiceNow's own HMAC (GlideCertificateEncryption.generateMac) answers in base64, so for it the
 * digest may be base64 as well as hex.
 * Comparisons are constant-time: HMACs as equal-length digests, GitLab's token through SHA-256 of
 * both sides (so neither the position of a difference nor the token's length shows in the timing).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SourceType } from '../connectors/connector.js';

/** The header that carries the signature, by source type (lower case, as Node gives them). */
export const SIGNATURE_HEADER: Record<SourceType, string> = {
  github: 'x-hub-signature-256',
  gitlab: 'x-gitlab-token',
  jira: 'x-hub-signature',
  servicenow: 'x-signature-256',
};

const HEX_FORM = /^sha256=([0-9a-fA-F]{64})$/;
const BASE64_FORM = /^sha256=([A-Za-z0-9+/]{43}=)$/;

/** `sha256=<hex>` of `body` with `secret`: what a vendor sends (tests and the README's sketches use it too). */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function hmacMatches(given: string, body: Buffer, secret: string, base64: boolean): boolean {
  const hex = HEX_FORM.exec(given.trim());
  const b64 = base64 ? BASE64_FORM.exec(given.trim()) : null;
  if (!hex && !b64) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const presented = hex ? Buffer.from(hex[1]!, 'hex') : Buffer.from(b64![1]!, 'base64');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function tokenMatches(given: string, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** true only for a single, well-formed header that matches; a missing or repeated header is false. */
export function verifySignature(sourceType: SourceType, headers: IncomingHttpHeaders, body: Buffer, secret: string): boolean {
  const given = headers[SIGNATURE_HEADER[sourceType]];
  if (typeof given !== 'string' || given === '') return false;
  return sourceType === 'gitlab' ? tokenMatches(given, secret) : hmacMatches(given, body, secret, sourceType === 'servicenow');
}
