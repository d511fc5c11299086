/**
 * Taking a vendor delivery (CONTRACT §12), all before the 202: find the sync, verify the
 * signature with its webhook_secret, read what the payload names, drop a repeated delivery id,
 * queue the fetch. Nothing is written anywhere before the signature holds.
 *
 * Deduplication: a delivery id is remembered in Redis (SET with EX, policy.webhooks.dedupSeconds)
 * only once its queue entry exists, so a delivery is never remembered without being queued. The
 * queue entry's id is derived from the same id, so two copies racing past the check (or a repeat
 * after a failed SET) still make one entry: BullMQ does not add a job id it holds already.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { JobKeys } from '../jobs/keys.js';
import type { Policy } from '../policy.js';
import type { SyncService } from '../syncs/service.js';
import { readEvent } from './events.js';
import type { WebhookJobData } from './queue.js';
import { verifySignature } from './signature.js';

export interface ReceiveDeps {
  syncs: Pick<SyncService, 'webhookSecret'>;
  /** the API's fail-fast client: an outage answers 503 at once, and the vendor retries */
  redis: Redis;
  keys: Pick<JobKeys, 'webhookDelivery'>;
  queue: Queue<WebhookJobData>;
  policy: Policy['webhooks'];
}

/** The 202's body: what became of the delivery. */
export interface Receipt {
  status: 'queued' | 'duplicate' | 'ignored';
  /** why it was ignored */
  reason?: string;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

async function tracked<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch {
    throw new AppError('REDIS_UNAVAILABLE', 'the delivery could not be queued (Redis unavailable); the vendor may retry it');
  }
}

export class WebhookReceiver {
  constructor(private readonly deps: ReceiveDeps) {}

  async receive(syncId: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Receipt> {
    const found = await this.deps.syncs.webhookSecret(syncId);
    if (!found) throw new AppError('SYNC_NOT_FOUND', 'no such sync');
    const { sync, secret } = found;
    if (!verifySignature(sync.source_type, headers, body, secret)) {
      throw new AppError('UNAUTHORIZED', 'missing or wrong webhook signature');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AppError('MALFORMED_JSON', 'the webhook payload is not valid JSON');
    }
    const event = readEvent(sync, headers, payload);
    if (event.kind === 'ignore') return { status: 'ignored', reason: event.reason };
    // Changes made while paused are the resumed schedule's to read; the vendor sees success, so it keeps the hook on.
    if (sync.status !== 'active') return { status: 'ignored', reason: 'the sync is paused' };
    const deliveryHash = sha256(event.deliveryId ?? body);
    const seen = this.deps.keys.webhookDelivery(syncId, deliveryHash);
    if (await tracked(this.deps.redis.exists(seen))) return { status: 'duplicate' };
    const data: WebhookJobData = { sync_id: syncId, ref: event.ref, deleted: event.deleted, run_id: randomUUID(), received_at: Date.now() };
    await tracked(this.deps.queue.add('fetch-item', data, { jobId: `wh-${syncId}-${deliveryHash}` }));
    await tracked(this.deps.redis.set(seen, '1', 'EX', this.deps.policy.dedupSeconds));
    return { status: 'queued' };
  }
}
