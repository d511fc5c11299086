/**
 * The connector's read port to what the store already holds for the job's tenant and source
 * instance (PageOptions.stored): an incremental run merges the comments changed since into the
 * stored ones, and a parent named by key costs no source request. A read is retried like a batch
 * write; a store that stays down ends the page walk with its StoreError (an outage hands the job back).
 */
import type { StoredItems } from '../connectors/connector.js';
import type { ItemHome } from '../items/types.js';
import type { Policy } from '../policy.js';
import { withStoreRetry, type RunStore } from './run-store.js';

export function storedItemsOf(store: RunStore, home: ItemHome, policy: Policy['jobs'], signal: AbortSignal): StoredItems {
  return {
    comments: (ids) => withStoreRetry(policy, signal, () => store.storedComments(home, ids)),
    idsByKey: (project, keys) => withStoreRetry(policy, signal, () => store.storedIdsByKey(home, project, keys)),
  };
}
