/**
 * One page of raw records into items and per-item failures: a record that cannot be normalized,
 * or whose normalized item is too large to store, fails alone (CONTRACT §7) and the job goes on.
 */
import type { Connector, NormalizedItem } from '../connectors/connector.js';
import { UNIDENTIFIED_PREFIX, type ItemFailure } from '../items/types.js';
import { jsonBytes } from '../items/size.js';
import type { ItemErrorCode } from '../errors.js';
import { mapFields, type FieldRefs } from '../items/field-map.js';

/** A normalized item whose JSON is larger than this fails with ITEM_TOO_LARGE. */
export const MAX_ITEM_BYTES = 5 * 1024 * 1024;

export interface NormalizedPage {
  items: NormalizedItem[];
  failures: ItemFailure[];
}

/** Synchronous work longer than this yields to the event loop before the next record (the API shares it). */
const SLICE_MS = 20;

/**
 * `batchNo` names records the connector cannot identify, so each is counted and listed on its own.
 * Records are normalized one at a time with a yield whenever a slice of work is used up: a page
 * of large records must not hold the event loop (and /health, and the BullMQ lock renewal) for
 * the whole page.
 */
export async function normalizePage(
  connector: Connector, records: unknown[], batchNo: number, fieldMap: FieldRefs | null = null,
): Promise<NormalizedPage> {
  const items: NormalizedItem[] = [];
  const failures: ItemFailure[] = [];
  let sliceStart = performance.now();
  for (const [index, raw] of records.entries()) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const outcome = normalizeOne(connector, raw, `${UNIDENTIFIED_PREFIX}${batchNo}:${index}`, fieldMap);
    if ('error' in outcome) failures.push(outcome);
    else items.push(outcome);
  }
  return { items, failures };
}

function normalizeOne(connector: Connector, raw: unknown, fallbackId: string, fieldMap: FieldRefs | null): NormalizedItem | ItemFailure {
  let item: NormalizedItem;
  try {
    item = connector.normalize(raw);
    if (fieldMap) item.fields = mapFields(item.custom_fields ?? [], fieldMap);
  } catch (err) {
    const id = safeIdentify(connector, raw, fallbackId);
    return { ...id, error: err instanceof Error ? err.message.slice(0, 500) : 'could not be normalized' };
  }
  const bytes = jsonBytes(item);
  if (bytes <= MAX_ITEM_BYTES) return item;
  return { external_id: item.external_id, key: item.key, error: itemError('ITEM_TOO_LARGE', `the normalized item is ${bytes} bytes, over the limit of ${MAX_ITEM_BYTES} (5 MiB)`) };
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
