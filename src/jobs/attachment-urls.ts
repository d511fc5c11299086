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

/** A relative address (a connector's path on its base URL) is scrubbed alike and stays relative; what does not parse is dropped. */
export function scrubUrl(raw: string, secrets: readonly string[]): string | null {
  const RELATIVE = 'http://relative.invalid';
  let url: URL;
  let relative = false;
  try {
    url = new URL(raw);
  } catch {
    try {
      url = new URL(raw, RELATIVE);
      relative = true;
    } catch {
      return null;
    }
  }
  const secretParams = [...url.searchParams.keys()].filter(isSecretParam);
  // Left as the connector wrote it unless something must go (a re-serialized URL may differ in encoding).
  if (!url.username && !url.password && secretParams.length === 0) return redact(raw, secrets);
  url.username = '';
  url.password = '';
  for (const name of secretParams) url.searchParams.delete(name);
  const text = relative ? url.href.slice(RELATIVE.length) : url.href;
  return redact(text, secrets);
}
