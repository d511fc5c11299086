/**
 * The runner's port to the item store (the store meets it as it is), and the write of one batch
 * through it: a store hiccup is retried here (a batch is idempotent); what is still failing after
 * that is thrown for the runner to decide (an outage hands the job back, anything else fails it).
 * Items the database refuses never get here: the store fails them alone.
 */
import type { ItemComment, NormalizedItem } from '../connectors/connector.js';
import { StoreError } from '../errors.js';
import { backoffDelay, type Policy } from '../policy.js';
import type { BatchContext, ItemFailure, ItemHome, ItemOutcome, ItemScope } from '../items/types.js';
import type { DeletionStore } from './deletions.js';

export interface RunStore extends DeletionStore {
  upsertBatch(ctx: BatchContext, items: NormalizedItem[], failures: ItemFailure[]): Promise<ItemOutcome[]>;
  getWatermark(scope: ItemScope): Promise<Date | null>;
  setWatermark(scope: ItemScope, at: Date): Promise<void>;
  storedComments(home: ItemHome, externalIds: string[]): Promise<Map<string, ItemComment[]>>;
  storedIdsByKey(home: ItemHome, project: string, keys: string[]): Promise<Map<string, string>>;
}

export async function upsertWithRetry(
  store: RunStore, policy: Policy['jobs'], ctx: BatchContext, page: { items: NormalizedItem[]; failures: ItemFailure[] }, signal: AbortSignal,
): Promise<ItemOutcome[]> {
  return withStoreRetry(policy, signal, () => store.upsertBatch(ctx, page.items, page.failures));
}

/** Runs a store call, retrying StoreErrors a few times in this process; other errors are bugs, thrown at once. */
export async function withStoreRetry<T>(policy: Policy['jobs'], signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof StoreError) || attempt >= policy.storeAttempts || signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, policy.storeBackoff)));
    }
  }
}
