/**
 * The connector's read port to what the store already holds for the job's tenant and source
 * instance (PageOptions.stored): an incremental run merges the comments changed since into the
 * stored ones, and a parent named by key costs no source request. A read is retried like a batch
 * write; a store that stays down fails the page walk with StoreError.
 */
import type { StoredItems } from '../connectors/connector.js';
import { StoreError } from '../errors.js';
import type { ItemHome } from '../items/types.js';
import { backoffDelay, type Policy } from '../policy.js';
import type { RunStore } from './run-store.js';

export function storedItemsOf(store: RunStore, home: ItemHome, policy: Policy['jobs'], signal: AbortSignal): StoredItems {
  const read = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (attempt >= policy.storeAttempts || signal.aborted) {
          throw err instanceof StoreError ? err : new StoreError('the item store is unavailable');
        }
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, policy.storeBackoff)));
      }
    }
  };
  return {
    comments: (ids) => read(() => store.storedComments(home, ids)),
    idsByKey: (project, keys) => read(() => store.storedIdsByKey(home, project, keys)),
  };
}
