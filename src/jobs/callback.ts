/**
 * Completion callback: POST the job JSON to callback_url, signed with
 * `X-Signature-256: sha256=<hex HMAC-SHA256 of the body with WEBHOOK_SECRET>`, retried with backoff
 * through the outbound HTTP layer the connectors use (so the same URL rules and SSRF guard apply).
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { SourceHttpFactory } from '../outbound/types.js';
import type { Policy } from '../policy.js';
import type { JobRecord } from './types.js';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function sendCallback(
  http: SourceHttpFactory, policy: Policy['callback'], secret: string, url: string, job: JobRecord, log: Logger,
): Promise<void> {
  const body = JSON.stringify(job);
  const client = http({ source: 'Callback', baseUrl: url, ...policy });
  try {
    // The layer serializes `json` with JSON.stringify, so the signed bytes are the sent bytes.
    await client.request('POST', url, { json: job, headers: { 'x-signature-256': signBody(secret, body) }, responseType: 'text' });
  } catch (err) {
    log.warn({ job_id: job.job_id, error: err instanceof Error ? err.message : String(err) }, 'completion callback failed');
  }
}
