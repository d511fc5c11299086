/** The narrow set of collaborators the HTTP app needs; built by src/deps.ts, doubled in tests. */
import type { Logger } from 'pino';
import type { ConnectorModule, SourceType } from '../connectors/connector.js';
import type { JobService } from '../jobs/types.js';
import type { ItemStore } from '../store/types.js';
import type { Policy } from '../policy.js';
import type { Metrics } from '../metrics.js';
import type { SyncService } from '../syncs/service.js';
import type { WebhookReceiver } from '../webhooks/receive.js';
import type { BlobStore } from '../blobs/types.js';

export interface HealthReport {
  redis: { status: 'up' | 'down'; latency_ms?: number };
  database: { status: 'up' | 'down' };
}

export interface AppDeps {
  jobs: JobService;
  items: Pick<ItemStore, 'getItem' | 'listItems' | 'jobItems' | 'changes' | 'listPeople' | 'getPerson' | 'setPersonLinks'>;
  health(): Promise<HealthReport>;
  /** Their configSchemas make the POST body schema (and its OpenAPI description). */
  connectors: Record<SourceType, ConnectorModule>;
  /** API key → tenant; null = auth off. */
  apiKeys: Map<string, string> | null;
  version: string;
  environment: string;
  logger: Logger;
  policy: Policy['api'];
  /** The process's registry (shared with its worker in the `all` role); default: a registry of this app's own. */
  metrics?: Metrics;
  /** CONTRACT §11; the /api/syncs routes exist only when given */
  syncs?: SyncService;
  /** CONTRACT §12; POST /api/webhooks/{sync_id} exists only when given */
  webhooks?: WebhookReceiver;
  /** issue 12; GET /api/items/{id}/attachments/{attachment_id} exists only when given */
  blobs?: Pick<BlobStore, 'get'>;
  /** PUBLIC_URL: the base of a sync's webhook_url (else the request's own origin) */
  publicUrl?: string | null;
}
