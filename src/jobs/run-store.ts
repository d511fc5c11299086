/**
 * The runner's port to the item store (the store meets it as it is), and the write of one batch
 * through it: a store hiccup is retried (a batch is idempotent), a store that stays down fails the job.
 */
import type { ItemComment, NormalizedItem } from '../connectors/connector.js';
import { StoreError } from '../errors.js';
import { backoffDelay, type Policy } from '../policy.js';
import type { BatchContext, ItemFailure, ItemHome, ItemOutcome, ItemScope } from '../items/types.js';

export interface RunStore {
  upsertBatch(ctx: BatchContext, items: NormalizedItem[], failures: ItemFailure[]): Promise<ItemOutcome[]>;
  getWatermark(scope: ItemScope): Promise<Date | null>;
  setWatermark(scope: ItemScope, at: Date): Promise<void>;
  storedComments(home: ItemHome, externalIds: string[]): Promise<Map<string, ItemComment[]>>;
  storedIdsByKey(home: ItemHome, project: string, keys: string[]): Promise<Map<string, string>>;
}

export async function upsertWithRetry(
  store: RunStore, policy: Policy['jobs'], ctx: BatchContext, page: { items: NormalizedItem[]; failures: ItemFailure[] }, signal: AbortSignal,
): Promise<ItemOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.upsertBatch(ctx, page.items, page.failures);
    } catch (err) {
      if (attempt >= policy.storeAttempts || signal.aborted) {
        throw err instanceof StoreError ? err : new StoreError('the item store is unavailable');
      }
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, policy.storeBackoff)));
    }
  }
}
