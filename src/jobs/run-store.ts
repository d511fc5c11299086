/**
 * The runner's port to the item store (the store meets it as it is), and the write of one batch
 * through it: a store hiccup is retried (a batch is idempotent), a store that stays down fails the job.
 */
import type { NormalizedItem } from '../connectors/connector.js';
import { StoreError } from '../errors.js';
import type { BatchContext, ItemFailure, ItemOutcome, ItemScope } from '../items/types.js';

export interface RunStore {
  upsertBatch(ctx: BatchContext, items: NormalizedItem[], failures: ItemFailure[]): Promise<ItemOutcome[]>;
  getWatermark(scope: ItemScope): Promise<Date | null>;
  setWatermark(scope: ItemScope, at: Date): Promise<void>;
}

const STORE_ATTEMPTS = 5;

export async function upsertWithRetry(
  store: RunStore, ctx: BatchContext, page: { items: NormalizedItem[]; failures: ItemFailure[] }, signal: AbortSignal,
): Promise<ItemOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.upsertBatch(ctx, page.items, page.failures);
    } catch (err) {
      if (attempt >= STORE_ATTEMPTS || signal.aborted) {
        throw err instanceof StoreError ? err : new StoreError('the item store is unavailable');
      }
      await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt)));
    }
  }
}
