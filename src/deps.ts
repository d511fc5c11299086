/**
 * The typed bag of dependencies, built and closed in one place. Roles take what they need:
 * the API never starts a worker, the worker never listens on a port.
 */
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { StartupError, type Config } from './config.js';
import type { ConnectorModule, SourceType } from './connectors/connector.js';
import { createSourceHttpFactory } from './outbound/http.js';
import { SharedBudget } from './outbound/shared-budget.js';
import { subkey } from './jobs/credentials.js';
import type { SourceHttpFactory } from './outbound/types.js';
import { jobKeys, type JobKeys } from './jobs/keys.js';
import { JobRecords } from './jobs/record.js';
import { JobEvents } from './jobs/events.js';
import { createQueue, type ImportJobData } from './jobs/queue.js';
import { RedisJobService } from './jobs/service.js';
import { ScopeLocks, scopeHash } from './jobs/scope-lock.js';
import { openItemStore } from './store/work-items.js';
import { ImportWorker } from './jobs/worker.js';
import { CallbackDelivery } from './jobs/callbacks/delivery.js';
import { CallbackOutbox } from './jobs/callbacks/outbox.js';
import type { ItemStore } from './store/types.js';
import { backoffDelay, DEFAULT_POLICY, type Policy } from './policy.js';
import { checkRedisDatabase } from './redis-database.js';
import { createMetrics, type Metrics } from './metrics.js';
import { SyncStore } from './syncs/store.js';
import { SyncRuns } from './syncs/runs.js';
import { createTickQueue, SyncSchedules } from './syncs/schedule.js';
import { SyncService } from './syncs/service.js';
import { SyncTicker } from './syncs/ticker.js';
import { createWebhookQueue, type WebhookJobData } from './webhooks/queue.js';
import { WebhookReceiver } from './webhooks/receive.js';
import { WebhookWorker } from './webhooks/worker.js';
import { openBlobStore, withDeploymentCaps } from './blobs/open.js';
import type { BlobStore } from './blobs/types.js';

export interface Deps {
  config: Readonly<Config>;
  logger: Logger;
  policy: Policy;
  keys: JobKeys;
  /** for the worker and BullMQ: commands wait out a Redis outage instead of failing */
  redis: Redis;
  /** for API requests: fails fast while Redis is down, so the API answers 503 instead of hanging */
  apiRedis: Redis;
  subscriber: Redis;
  records: JobRecords;
  events: JobEvents;
  queue: Queue<ImportJobData>;
  jobs: RedisJobService;
  store: ItemStore;
  connectors: Record<SourceType, ConnectorModule>;
  http: SourceHttpFactory;
  locks: ScopeLocks;
  /** this process's Prometheus registry: the API's /metrics, the worker's counters, METRICS_PORT */
  metrics: Metrics;
  /** CONTRACT §11: the API's service, and what the worker's tick handler and run-end hook use */
  syncs: SyncService;
  syncRuns: SyncRuns;
  syncStore: SyncStore;
  syncSchedules: SyncSchedules;
  /** CONTRACT §12: the API's receiver of vendor deliveries, and the queue the worker takes them from */
  webhooks: WebhookReceiver;
  webhookQueue: Queue<WebhookJobData>;
  /** issue 12: attachment content (BLOB_DIR or BLOB_S3_BUCKET) */
  blobs: BlobStore;
  close(): Promise<void>;
}

export interface DepsOverrides {
  connectors: Record<SourceType, ConnectorModule>;
  /** defaults to the schema-less store of the config */
  storeSchema?: string;
  /** defaults to DEFAULT_POLICY; tests shorten its waits */
  policy?: Policy;
}

/** `logger` given: this client reports outages (one client per process does, so one line per outage). */
function redisClient(
  config: Readonly<Config>, policy: Policy['redis'], name: string, opts: { failFast?: boolean; logger?: Logger } = {},
): Redis {
  const { failFast = false, logger } = opts;
  const client = new Redis(config.redisUrl, {
    maxRetriesPerRequest: failFast ? 1 : null,
    // While the connection is known down an API command fails at once (no queueing behind the
    // reconnect backoff, which grows to seconds); one sent into a silent connection times out.
    ...(failFast ? { commandTimeout: policy.apiCommandTimeoutMs, enableOfflineQueue: false } : {}),
    connectionName: `integration-service:${name}`,
    retryStrategy: (attempt) => backoffDelay(attempt, policy.reconnect),
  });
  let warned = false;
  client.on('error', (err: Error) => {
    if (warned || !logger) return;
    warned = true;
    logger.error({ error: err.message }, 'Redis unreachable at REDIS_URL; retrying with backoff');
  });
  client.on('ready', () => {
    if (warned) logger?.info('Redis connection restored');
    warned = false;
  });
  return client;
}

function connected(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done).off('error', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.on('ready', done).on('error', done);
  });
}

export async function buildDeps(config: Readonly<Config>, logger: Logger, overrides: DepsOverrides): Promise<Deps> {
  const policy = withDeploymentCaps(overrides.policy ?? DEFAULT_POLICY, config.attachmentCaps);
  const blobs = await openBlobStore(config.blobs, policy.attachments.s3TimeoutMs).catch(() => {
    throw new StartupError('BLOB_DIR', 'must be a directory the service can write to (default: DATA_DIR/blobs)');
  });
  const keys = jobKeys(config.redisKeyPrefix);
  const redis = redisClient(config, policy.redis, 'worker', { logger });
  const apiRedis = redisClient(config, policy.redis, 'api', { failFast: true });
  const subscriber = redisClient(config, policy.redis, 'events');
  await checkRedisDatabase(redis, config.redisUrl).catch((err: unknown) => {
    for (const client of [redis, apiRedis, subscriber]) client.disconnect();
    throw err;
  });
  // The API's client refuses commands until connected: with Redis up, let it connect before the
  // first request comes (a bounded wait; with Redis down the API answers 503 meanwhile anyway).
  if (redis.status === 'ready') await connected(apiRedis, policy.redis.apiCommandTimeoutMs);
  const records = new JobRecords(redis, keys, config.jobTtlSeconds, policy.callback.horizonMs);
  const events = new JobEvents(subscriber, keys);
  const queue = createQueue(apiRedis, keys.queuePrefix, policy.retention.queueEntrySeconds);
  queue.on('error', () => undefined); // reported once by the shared connection's handler
  const metrics = createMetrics();
  // The API's fail-fast client: a lease never queues behind a Redis outage (the gate goes local instead).
  const sharedBudget = new SharedBudget({
    redis: apiRedis, keyPrefix: config.redisKeyPrefix, secret: subkey(config.credentialsKey, 'rate-budget'), policy: policy.rateBudget, logger,
  });
  const http = createSourceHttpFactory({
    allowPrivateNetworks: config.allowPrivateNetworks, allowedHosts: config.allowedHosts, policy, observer: metrics, sharedBudget,
  });
  const storeOptions = { databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, schema: overrides.storeSchema };
  const store = await openItemStore({ ...storeOptions, embedded: { settings: policy.embeddedDb.settings } }).catch(
    async (err: unknown) => {
      await queue.close().catch(() => undefined);
      for (const client of [redis, apiRedis, subscriber]) client.disconnect();
      // The store's own errors already have the URL's secrets cut out.
      const reason = err instanceof Error ? err.message : String(err);
      throw new StartupError(config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR', `cannot be opened as the item store: ${reason.split('\n')[0]}`);
    },
  );
  const createDeps = {
    connectors: overrides.connectors,
    credentialsKey: config.credentialsKey,
    allowPrivateNetworks: config.allowPrivateNetworks,
    allowedHosts: config.allowedHosts,
    webhookSecret: config.webhookSecret,
    tenantMaxQueued: config.tenantMaxQueued,
  };
  const apiRecords = new JobRecords(apiRedis, keys, config.jobTtlSeconds, policy.callback.horizonMs);
  const jobs = new RedisJobService(apiRecords, queue, events, createDeps);
  const tickQueue = createTickQueue(apiRedis, keys.queuePrefix);
  tickQueue.on('error', () => undefined);
  const syncStore = new SyncStore(store.db);
  const locks = new ScopeLocks(redis, keys, policy.scopeLock.leaseMs, config.tenantMaxRunning);
  const syncRuns = new SyncRuns({
    store: syncStore, records: apiRecords, queue, items: store, credentialsKey: config.credentialsKey,
    scopeHolder: (s) => apiRedis.get(keys.scopeLock(scopeHash({ tenant_id: s.tenant_id, source_type: s.source_type, source_instance: s.source_instance, scope: s.scope }))),
    tenantMaxQueued: config.tenantMaxQueued, logger: logger.child({ component: 'syncs' }),
  });
  const syncSchedules = new SyncSchedules(tickQueue);
  const webhookQueue = createWebhookQueue(apiRedis, keys.queuePrefix, policy.webhooks, policy.webhooks.dedupSeconds);
  webhookQueue.on('error', () => undefined);
  const syncs = new SyncService({
    store: syncStore, runs: syncRuns, schedules: syncSchedules, records: apiRecords, create: createDeps, minIntervalS: config.syncMinIntervalS,
  });
  return {
    config, logger, policy, keys, redis, apiRedis, subscriber, records, events, queue, jobs, store,
    connectors: overrides.connectors, http, metrics, locks,
    syncs, syncRuns, syncStore, syncSchedules, webhookQueue, blobs,
    webhooks: new WebhookReceiver({ syncs, redis: apiRedis, keys, queue: webhookQueue, policy: policy.webhooks }),
    async close() {
      await tickQueue.close().catch(() => undefined);
      await webhookQueue.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await sharedBudget.close();
      subscriber.disconnect();
      apiRedis.disconnect();
      redis.disconnect();
    },
  };
}

export function createWorker(deps: Deps): ImportWorker {
  const secret = deps.config.webhookSecret;
  const outbox = new CallbackOutbox(deps.redis, deps.keys, deps.policy.callback.leaseMs);
  const callbacks = secret
    ? new CallbackDelivery({ outbox, http: deps.http, secret, policy: deps.policy.callback, logger: deps.logger })
    : null;
  return new ImportWorker({
    records: deps.records, store: deps.store, connectors: deps.connectors, http: deps.http,
    credentialsKey: deps.config.credentialsKey, logger: deps.logger, connection: deps.redis, blobs: deps.blobs,
    queuePrefix: deps.keys.queuePrefix, concurrency: deps.config.workerConcurrency, locks: deps.locks,
    events: deps.events, callbacks, policy: deps.policy, metrics: deps.metrics,
    syncTicker: new SyncTicker({
      connection: deps.redis, queuePrefix: deps.keys.queuePrefix, store: deps.syncStore, runs: deps.syncRuns,
      schedules: deps.syncSchedules, logger: deps.logger.child({ component: 'syncs' }), policy: deps.policy.syncs,
    }),
    webhooks: new WebhookWorker({
      syncs: deps.syncStore, connectors: deps.connectors, http: deps.http, store: deps.store, credentialsKey: deps.config.credentialsKey,
      connection: deps.redis, queuePrefix: deps.keys.queuePrefix, redis: deps.redis, keys: deps.keys, logger: deps.logger, policy: deps.policy,
      attachments: { blobs: deps.blobs, policy: deps.policy.attachments },
    }),
    onRunEnded: async (data) => {
      if (data.sync_id) await deps.syncRuns.settle(data.sync_id, data.job_id);
    },
  });
}
