/**
 * Work items, the per-job item log and incremental-sync watermarks.
 * Migrations are TypeScript modules holding SQL so that `tsc` ships them in dist/ with the code.
 */
import type { Migration } from './index.js';

export const init: Migration = {
  id: 1,
  name: 'init',
  sql: `
CREATE TABLE work_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL,              -- '' = no tenant (the API shows null)
  source_type text NOT NULL,
  source_instance text NOT NULL,
  external_id text NOT NULL,
  key text NOT NULL,
  project text NOT NULL,
  title text NOT NULL,
  description text,
  status text,
  status_category text NOT NULL,
  priority text,
  item_type text,
  assignee jsonb,
  reporter jsonb,
  labels jsonb NOT NULL,
  url text,
  parent_external_id text,
  created_at timestamptz,
  updated_at timestamptz,
  closed_at timestamptz,
  comments jsonb NOT NULL,
  raw jsonb,
  content_hash text NOT NULL,
  -- The hash before the latest upsert: lets the upsert's RETURNING tell updated from unchanged
  -- without a second read (OLD in RETURNING needs PostgreSQL 18).
  previous_content_hash text,
  first_job_id uuid NOT NULL,
  last_job_id uuid NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(), -- content last written
  seen_at timestamptz NOT NULL DEFAULT now(),     -- last import that delivered it
  -- Listing order; never null so keyset paging stays a plain row comparison.
  sort_at timestamptz GENERATED ALWAYS AS (COALESCE(updated_at, created_at, 'epoch'::timestamptz)) STORED,
  CONSTRAINT work_items_identity UNIQUE (tenant_id, source_type, source_instance, external_id)
);
CREATE INDEX work_items_list ON work_items (sort_at DESC, id DESC);
CREATE INDEX work_items_tenant_list ON work_items (tenant_id, sort_at DESC, id DESC);
CREATE INDEX work_items_source_list ON work_items (tenant_id, source_type, sort_at DESC, id DESC);
CREATE INDEX work_items_project_list ON work_items (tenant_id, project, sort_at DESC, id DESC);

CREATE TABLE job_items (
  job_id uuid NOT NULL,
  external_id text NOT NULL,
  seq bigserial NOT NULL,
  key text,
  item_id uuid,
  action text NOT NULL CHECK (action IN ('created', 'updated', 'unchanged', 'failed')),
  error text,
  -- the batch (1-based page number) of the run that first recorded it: a batch re-delivered after
  -- a crash (same number, progress never saved) is counted again; an item met in an earlier batch is not
  batch_no integer,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, external_id)
);
CREATE INDEX job_items_order ON job_items (job_id, seq);
CREATE INDEX job_items_action ON job_items (job_id, action, seq);

CREATE TABLE sync_state (
  tenant_id text NOT NULL,
  source_type text NOT NULL,
  source_instance text NOT NULL,
  scope text NOT NULL,
  watermark timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_type, source_instance, scope)
);
`,
};
