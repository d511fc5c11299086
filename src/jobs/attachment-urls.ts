/**
 * An attachment's source_url is stored as metadata only (the content, when asked for, is read before
 * this runs), so whatever could be a credential is cut out of it before the store sees it, whatever
 * the connector sent: user:password, query parameters named like secrets (token, sig, X-Amz-Signature:
 * signed URLs are credentials for a while), and the job's own credential values anywhere in it.
 */
import type { NormalizedItem } from '../connectors/connector.js';
import { isSecretParam } from '../outbound/util.js';
import { redact } from './redact.js';

export function scrubSourceUrls(items: NormalizedItem[], secrets: readonly string[]): void {
  for (const item of items) for (const att of item.attachments ?? []) if (att.source_url) att.source_url = scrubUrl(att.source_url, secrets);
}

export function scrubUrl(raw: string, secrets: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) if (isSecretParam(name)) url.searchParams.delete(name);
  return redact(url.href, secrets);
}
