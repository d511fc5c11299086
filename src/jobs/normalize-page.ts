/**
 * One page of raw records into items and per-item failures: a record that cannot be normalized,
 * or whose normalized item is too large to store, fails alone (CONTRACT §7) and the job goes on.
 */
import type { Connector, NormalizedItem } from '../connectors/connector.js';
import type { ItemFailure } from '../items/types.js';
import { jsonBytes } from '../items/size.js';
import type { ItemErrorCode } from '../errors.js';

/** A normalized item whose JSON is larger than this fails with ITEM_TOO_LARGE. */
export const MAX_ITEM_BYTES = 5 * 1024 * 1024;

export interface NormalizedPage {
  items: NormalizedItem[];
  failures: ItemFailure[];
}

/** `batchNo` names records the connector cannot identify, so each is counted and listed on its own. */
export function normalizePage(connector: Connector, records: unknown[], batchNo: number): NormalizedPage {
  const items: NormalizedItem[] = [];
  const failures: ItemFailure[] = [];
  records.forEach((raw, index) => {
    let item: NormalizedItem;
    try {
      item = connector.normalize(raw);
    } catch (err) {
      const id = safeIdentify(connector, raw, `unknown:${batchNo}:${index}`);
      failures.push({ ...id, error: err instanceof Error ? err.message.slice(0, 500) : 'could not be normalized' });
      return;
    }
    const bytes = jsonBytes(item);
    if (bytes <= MAX_ITEM_BYTES) items.push(item);
    else failures.push({ external_id: item.external_id, key: item.key, error: itemError('ITEM_TOO_LARGE', `the normalized item is ${bytes} bytes, over the limit of ${MAX_ITEM_BYTES} (5 MiB)`) });
  });
  return { items, failures };
}

const itemError = (code: ItemErrorCode, message: string) => `${code}: ${message}`;

/** The record's identity; `fallbackId` stands in when the connector cannot tell (it throws or gives no id). */
function safeIdentify(connector: Connector, raw: unknown, fallbackId: string): { external_id: string; key: string | null } {
  try {
    const id = connector.identify(raw);
    return id.external_id ? id : { external_id: fallbackId, key: id.key };
  } catch {
    return { external_id: fallbackId, key: null };
  }
}
