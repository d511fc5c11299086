/**
 * One completion-callback attempt: POST the job JSON to callback_url, signed with
 * `X-Signature-256: sha256=<hex HMAC-SHA256 of the body with WEBHOOK_SECRET>`, through the outbound
 * HTTP layer the connectors use (so the same URL rules and SSRF guard apply). The layer does not
 * retry (`retries: 0`): the outbox does, and it needs the receiver's Retry-After to do it.
 */
import { createHmac } from 'node:crypto';
import { SourceError, SourceWaitError } from '../../errors.js';
import { defaultRateLimit } from '../../outbound/client.js';
import { describeRequest } from '../../outbound/util.js';
import type { SourceHttpFactory } from '../../outbound/types.js';
import type { Policy } from '../../policy.js';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * `retryAfterMs`: how long the receiver asked to wait (Retry-After, from the moment it answered),
 * if it did — relative, so the delivery loop applies it on its own clock; `final`: retrying cannot help.
 */
export type AttemptResult = { ok: true } | { ok: false; error: string; retryAfterMs: number | null; final: boolean };

export async function sendCallback(
  http: SourceHttpFactory, policy: Policy['callback'], secret: string, url: string, body: string, signal: AbortSignal,
): Promise<AttemptResult> {
  let retryAt: number | null = null;
  const client = http({
    source: 'Callback', baseUrl: url, retries: 0, timeoutMs: policy.timeoutMs, concurrency: policy.concurrency,
    // A pause another callback to this receiver learnt of ends the attempt at once, naming its end.
    maxWaitMs: policy.horizonMs, handOffWaitMs: 0,
    rateLimit: (res) => {
      const rl = defaultRateLimit(res);
      retryAt = rl?.pauseUntil ?? null;
      return rl;
    },
  });
  const job: unknown = JSON.parse(body);
  try {
    // The layer serializes `json` with JSON.stringify, so the signed bytes are the sent bytes.
    const sent = JSON.stringify(job);
    await client.request('POST', url, { json: job, headers: { 'x-signature-256': signBody(secret, sent) }, responseType: 'text', signal });
    return { ok: true };
  } catch (err) {
    if (signal.aborted) throw err;
    if (err instanceof SourceWaitError) retryAt = err.resumeAt;
    const final = err instanceof SourceError && err.code === 'SOURCE_URL_FORBIDDEN';
    const retryAfterMs = retryAt === null ? null : Math.max(0, retryAt - Date.now());
    return { ok: false, error: failure(err, url), retryAfterMs, final };
  }
}

/** The layer's message without the callback URL's path and query: they may be the receiver's secret. */
function failure(err: unknown, url: string): string {
  if (!(err instanceof SourceError)) return 'the callback could not be sent';
  return err.message.replaceAll(describeRequest('POST', new URL(url)), 'POST callback_url');
}
