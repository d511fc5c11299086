/**
 * Syncs (CONTRACT §11) live here, not in Redis: they last for months, beyond any job TTL, and the
 * database is the store of record. Credentials and the webhook secret are sealed (AES-256-GCM,
 * src/jobs/credentials.ts), never stored in clear. Numbered 4: 3 is left to the change feed.
 */
import type { Migration } from './index.js';

export const syncs: Migration = {
  id: 4,
  name: 'syncs',
  sql: `
CREATE TABLE syncs (
  sync_id uuid PRIMARY KEY,
  seq bigserial NOT NULL,               -- listing order (newest first), keyset cursor
  tenant_id text NOT NULL,              -- '' = no tenant (the API shows null)
  -- the scope lock's hash of (tenant, source_type, source_instance, scope): one sync per scope and tenant
  scope_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'paused')),
  source_type text NOT NULL,
  base_url text NOT NULL,
  source_instance text NOT NULL,
  scope text NOT NULL,
  config jsonb NOT NULL,                -- source_config without its secret fields
  options jsonb NOT NULL,
  sealed_credentials text NOT NULL,     -- '' = no secret fields
  sealed_webhook_secret text NOT NULL,
  callback_url text,
  every_seconds integer NOT NULL CHECK (every_seconds > 0),
  full_every_seconds integer NOT NULL CHECK (full_every_seconds >= every_seconds),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_job_id uuid,
  last_mode text,
  last_run_at timestamptz,
  last_status text,
  last_error text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  next_run_at timestamptz,
  -- start of the last completed full run: the next full run is due full_every_seconds after it
  last_full_at timestamptz,
  -- the scope's watermark when last_job_id was created: an incremental run must pass it
  run_watermark timestamptz,
  -- the last run whose end is accounted in last_status and consecutive_failures (settling is idempotent)
  settled_job_id uuid,
  CONSTRAINT syncs_scope UNIQUE (scope_hash)
);
CREATE INDEX syncs_list ON syncs (seq DESC);
CREATE INDEX syncs_tenant_list ON syncs (tenant_id, seq DESC);
`,
};
