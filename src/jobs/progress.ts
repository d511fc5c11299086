/**
 * Pure progress arithmetic of CONTRACT §3: counts, and estimates (items, batches, percentage) that
 * only rise while the import runs and settle on the truth when it completes.
 */
import type { JobProgress } from './types.js';

export interface BatchCounts {
  successful: number;
  failed: number;
  skipped: number;
  /** stored items the source gave only in part (a subset of successful + skipped) */
  partial?: number;
}

export function advance(
  prev: JobProgress,
  counts: BatchCounts,
  sourceTotal: number | null,
  batchSize: number,
  rate: { items: number; seconds: number },
  morePages: boolean,
): JobProgress {
  const successful = prev.successful_items + counts.successful;
  const failed = prev.failed_items + counts.failed;
  const skipped = prev.skipped_items + counts.skipped;
  const processed = successful + failed + skipped;
  const total = estimateTotal(prev, processed, sourceTotal, batchSize, morePages);
  // One decimal, rounded; 100.0 is kept for completion (99.97 % of the items, or a count the
  // source undershot while pages remain, is not done yet).
  const rounded = total > 0 ? Math.round((processed / total) * 1000) / 10 : 0;
  const unfinished = processed < total || morePages;
  const percentage = Math.max(prev.percentage, unfinished ? Math.min(rounded, 99.9) : rounded);
  const perSecond = rate.seconds > 0 ? rate.items / rate.seconds : 0;
  const currentBatch = prev.current_batch + 1;
  return {
    total_items: total,
    processed_items: processed,
    successful_items: successful,
    failed_items: failed,
    skipped_items: skipped,
    partial_items: (prev.partial_items ?? 0) + (counts.partial ?? 0),
    percentage: Math.min(percentage, 100),
    estimated_time_remaining: perSecond > 0 ? Math.round(((total - processed) / perSecond) * 10) / 10 : null,
    current_batch: currentBatch,
    // while pages remain there is at least one more batch, whatever the item estimate says
    total_batches: Math.max(prev.total_batches, currentBatch + (morePages ? 1 : 0), Math.ceil(total / batchSize)),
  };
}

/**
 * The item total only rises until completion: a source's count that shrinks (Jira's approximate
 * count, rows ACL-hidden in ServiceNow) does not lower it, and it never falls below what was
 * processed. A source that cannot count gets "at least one more page" while pages remain, so the
 * percentage does not claim 100 before the end.
 */
function estimateTotal(prev: JobProgress, processed: number, sourceTotal: number | null, batchSize: number, morePages: boolean): number {
  const floor = processed + (morePages && sourceTotal === null ? batchSize : 0);
  return Math.max(prev.total_items, sourceTotal ?? 0, floor);
}

/** The end: the estimates become what was actually processed, in the batches actually run. */
export function completed(prev: JobProgress): JobProgress {
  return {
    ...prev,
    total_items: prev.processed_items,
    percentage: 100.0,
    estimated_time_remaining: 0,
    total_batches: prev.current_batch,
  };
}
