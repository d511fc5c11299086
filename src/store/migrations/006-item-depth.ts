/**
 * Issue 12: what an item carries beyond its core fields (history, attachments, custom fields, the
 * fields a field map fills, completeness), and per job-log entry whether the item was partial, so
 * GET /api/imports/{id}/items?completeness=partial is an index range, not a scan of items.
 * Constant defaults: PostgreSQL 11+ adds these columns without rewriting the table.
 */
import type { Migration } from './index.js';

export const itemDepth: Migration = {
  id: 6,
  name: 'item-depth',
  sql: `
ALTER TABLE work_items
  ADD COLUMN history jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN fields jsonb,
  ADD COLUMN completeness jsonb;
ALTER TABLE job_items ADD COLUMN partial boolean NOT NULL DEFAULT false;
CREATE INDEX job_items_partial ON job_items (job_id, seq) WHERE partial;
`,
};
