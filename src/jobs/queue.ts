/**
 * BullMQ only dispatches: the job id is the import's job_id (chosen in one place, here), so
 * enqueueing twice runs once. Retries of a failed source are not BullMQ's business (the record
 * says failed); stalled-job recovery is: a job whose worker died is re-delivered and resumes.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import type { SourceType } from '../connectors/connector.js';
import type { ImportOptions } from './types.js';

export const QUEUE_NAME = 'imports';

/** job.data: everything a worker needs except the credentials (sealed in their own Redis key). */
export interface ImportJobData {
  job_id: string;
  source_type: SourceType;
  /** source_config without its secret fields */
  config: Record<string, unknown>;
  options: ImportOptions;
  tenant_id: string | null;
  source_instance: string;
  scope: string;
  /** the sync this job is a run of (CONTRACT §11); absent for imports started by hand */
  sync_id?: string;
  /** times the job went back to the queue because the source asked for a long wait */
  rate_limit_handoffs?: number;
}

/** `keepSeconds`: how long BullMQ keeps a finished entry (the job record has its own TTL). */
export function createQueue(connection: ConnectionOptions, prefix: string, keepSeconds: number): Queue<ImportJobData> {
  return new Queue<ImportJobData>(QUEUE_NAME, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: { age: keepSeconds }, removeOnFail: { age: keepSeconds } },
  });
}

export async function enqueueImport(queue: Queue<ImportJobData>, data: ImportJobData): Promise<void> {
  await queue.add('run-import', data, { jobId: data.job_id });
}
