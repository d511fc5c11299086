/**
 * The handler of the `webhook-deliveries` queue, run beside the import worker in every worker
 * process. BullMQ waits on the queue with a blocking read, so an idle worker takes a delivery as
 * soon as it is queued. One delivery per item at a time (a Redis hold per sync and item): two
 * deliveries about one item racing could otherwise store the older read last. A source or store
 * outage is retried with backoff (policy.webhooks); a delivery that cannot succeed (credentials
 * refused, scope gone) is given up at once and logged — the sync's next run reads the item anyway.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SourceWaitError, toJobError } from '../errors.js';
import type { JobKeys } from '../jobs/keys.js';
import { redact } from '../jobs/redact.js';
import type { Policy } from '../policy.js';
import { processDelivery, type ProcessDeps } from './process.js';
import { WEBHOOK_QUEUE, type WebhookJobData } from './queue.js';

export interface WebhookWorkerDeps extends ProcessDeps {
  connection: ConnectionOptions;
  queuePrefix: string;
  redis: Redis;
  keys: Pick<JobKeys, 'webhookItem'>;
  logger: Logger;
  policy: Pick<Policy, 'sources' | 'webhooks' | 'worker'>;
}

const RETRYABLE = ['SOURCE_UNAVAILABLE', 'SOURCE_RATE_LIMITED', 'STORE_UNAVAILABLE'];

/**
 * Releases the hold only while it is still this delivery's.
 * KEYS[1] the item hold; ARGV[1] this delivery's token. Returns 1 when released.
 */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class WebhookWorker {
  private worker: Worker<WebhookJobData> | null = null;
  private readonly running = new Set<AbortController>();

  constructor(private readonly deps: WebhookWorkerDeps) {}

  start(): void {
    this.worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job, token) => this.handle(job, token ?? ''), {
      connection: this.deps.connection,
      prefix: this.deps.queuePrefix,
      concurrency: this.deps.policy.webhooks.concurrency,
      lockDuration: this.deps.policy.worker.lockDurationMs,
      stalledInterval: this.deps.policy.worker.stalledIntervalMs,
    });
    this.worker.on('error', (err) => this.deps.logger.error({ err: err.message }, 'webhook worker error'));
  }

  private async handle(job: Job<WebhookJobData>, token: string): Promise<void> {
    const data = job.data;
    const policy = this.deps.policy.webhooks;
    const hold = this.deps.keys.webhookItem(data.sync_id, data.ref);
    const owner = randomUUID();
    if ((await this.deps.redis.set(hold, owner, 'PX', policy.itemLockMs, 'NX')) === null) {
      await job.moveToDelayed(Date.now() + policy.itemBusyRetryMs, token);
      throw new DelayedError();
    }
    const log = this.deps.logger.child({ component: 'webhooks', sync_id: data.sync_id, ref: data.ref, run_id: data.run_id });
    const controller = new AbortController();
    this.running.add(controller);
    const forms: string[] = [];
    try {
      const result = await processDelivery(this.deps, data, controller.signal, log, forms);
      log.info({ ...result, vendor_said_deleted: data.deleted, latency_ms: Date.now() - data.received_at }, 'webhook delivery processed');
    } catch (err) {
      if (err instanceof SourceWaitError) {
        await job.moveToDelayed(err.resumeAt, token);
        throw new DelayedError();
      }
      // Shut down mid-delivery: another worker takes it up again.
      if (controller.signal.aborted) throw new Error('interrupted by shutdown');
      const { code, message } = toJobError(err);
      const retry = RETRYABLE.includes(code) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      log[retry ? 'warn' : 'error']({ error_code: code, error: redact(message, forms), attempt: job.attemptsMade + 1 },
        retry ? 'webhook delivery failed; it will be retried' : 'webhook delivery given up; the sync\'s next run reads the item');
      if (!retry) throw new UnrecoverableError(code);
      throw new Error(code);
    } finally {
      this.running.delete(controller);
      await this.deps.redis.eval(RELEASE, 1, hold, owner).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const c of this.running) c.abort(new Error('shutdown'));
    await worker?.close();
  }
}
