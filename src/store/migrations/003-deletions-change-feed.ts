/**
 * Deletions (CONTRACT §13) and the change feed.
 * - work_items.scope: the import scope that last delivered the item (job scope, plus the
 *   connector's read filter when it has one), so a full run marks only its own scope's unseen
 *   items deleted. Rows from before this migration keep scope null and are never marked deleted
 *   until an import delivers them again.
 * - previous_deleted_at: deleted_at before the latest upsert, so the upsert's RETURNING can tell a
 *   restore (the same trick as previous_content_hash).
 * - item_changes: one row per created / updated / deleted item, written in the transaction that
 *   made the change; `seq` is given after commit by the sequencer (src/store/changes.ts explains why).
 */
import type { Migration } from './index.js';

export const deletionsChangeFeed: Migration = {
  id: 3,
  name: 'deletions-change-feed',
  sql: `
ALTER TABLE work_items
  ADD COLUMN scope text,
  ADD COLUMN deleted_at timestamptz,
  ADD COLUMN previous_deleted_at timestamptz;
CREATE INDEX work_items_scope_present ON work_items (tenant_id, source_type, source_instance, scope)
  WHERE deleted_at IS NULL AND scope IS NOT NULL;

CREATE TABLE item_changes (
  id bigserial PRIMARY KEY,  -- write order
  seq bigint UNIQUE,         -- feed position: null until the sequencer numbers the committed row
  tenant_id text NOT NULL,
  item_id uuid NOT NULL,
  change text NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
  source_type text NOT NULL,
  project text NOT NULL,
  external_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_changes_unsequenced ON item_changes (id) WHERE seq IS NULL;
CREATE INDEX item_changes_tenant_feed ON item_changes (tenant_id, seq) WHERE seq IS NOT NULL;

-- The last seq given; its row lock serializes the sequencer.
CREATE TABLE item_change_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  last_seq bigint NOT NULL
);
INSERT INTO item_change_head (one, last_seq) VALUES (true, 0);
`,
};
