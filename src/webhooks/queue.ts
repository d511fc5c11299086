/**
 * The queue of accepted webhook deliveries (`webhook-deliveries`), handled by every worker
 * process: a delivery survives a crash of the process that took it (BullMQ re-delivers a stalled
 * job) and deliveries spread over the workers. job.data names the item only — never the payload.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Policy } from '../policy.js';

export const WEBHOOK_QUEUE = 'webhook-deliveries';
export const WEBHOOK_JOB = 'fetch-item';

export interface WebhookJobData {
  sync_id: string;
  /** the item as the source's single-item endpoint takes it: issue number or iid, Jira id or key, sys_id */
  ref: string;
  /** the vendor said it was deleted: marked so only once the source confirms (404/410) */
  deleted: boolean;
  /** a uuid naming this delivery in the item log (work_items.last_job_id, job_items): there is no import job */
  run_id: string;
  /** when the delivery was accepted, epoch ms (for the log's latency) */
  received_at: number;
}

export function createWebhookQueue(connection: ConnectionOptions, prefix: string, policy: Policy['webhooks'], keepSeconds: number): Queue<WebhookJobData> {
  return new Queue<WebhookJobData>(WEBHOOK_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.retryBaseMs },
      // Kept as long as a delivery id is remembered: the queue's own job-id check backs up the dedup key.
      removeOnComplete: { age: keepSeconds },
      removeOnFail: { age: keepSeconds },
    },
  });
}
