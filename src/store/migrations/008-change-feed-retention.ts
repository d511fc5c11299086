/**
 * The change feed keeps its rows for a retention period (policy retention.changeFeedDays): the
 * head remembers the last seq pruned, so a reader whose cursor is older than that is told its
 * cursor expired (410) instead of silently missing the pruned changes.
 */
import type { Migration } from './index.js';

export const changeFeedRetention: Migration = {
  id: 8,
  name: 'change-feed-retention',
  sql: `ALTER TABLE item_change_head ADD COLUMN pruned_through bigint NOT NULL DEFAULT 0;`,
};
