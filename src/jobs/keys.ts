/** Every Redis key name of the jobs core, chosen in one place. `prefix` is empty in production. */
export interface JobKeys {
  record(id: string): string;
  recordPrefix: string;
  credentials(id: string): string;
  checkpoint(id: string): string;
  owner(id: string): string;
  /** runs of the job started without a clean end (poison-job detection) */
  unfinishedRuns(id: string): string;
  /** hash {since, hand_backs} of the item-store outage the job is waiting out */
  storeOutage(id: string): string;
  idempotency(tenant: string, keyHash: string): string;
  scopeLock(scopeHash: string): string;
  tenantRunning(tenant: string): string;
  sequence: string;
  counters: string;
  indexPrefix: string;
  index(tenant: string | null, status: string | undefined, source: string | undefined): string;
  events(id: string): string;
  /** the job's completion callback: its URL from creation, its outbox entry once the job ended */
  callback(id: string): string;
  callbackPrefix: string;
  /** sorted set of job ids whose callback is due, score = next attempt (epoch ms) */
  callbacksDue: string;
  cancelChannel: string;
  queuePrefix: string;
  /** what the queue entry of a job carries (job.data), kept beside the record so a lost entry can be re-made */
  dispatch(id: string): string;
  /** times the sweeper re-enqueued the job */
  requeues(id: string): string;
  /** a vendor webhook delivery already queued (CONTRACT §12): sync id + SHA-256 of its delivery id */
  webhookDelivery(syncId: string, deliveryHash: string): string;
  /** the hold on one item while a webhook delivery fetches and stores it */
  webhookItem(syncId: string, ref: string): string;
  /** sorted set (all scores 0, read by name) of the tenant tokens that have indexes, for their pruning */
  tenants: string;
  /** one sweeper pass per interval, deployment-wide */
  sweeperLock: string;
  /** where the next sweeper pass goes on: pending index score, tenant token */
  sweeperCursor: string;
}

export function jobKeys(prefix = ''): JobKeys {
  const p = `${prefix}import:`;
  return {
    record: (id) => `${p}job:${id}`,
    recordPrefix: `${p}job:`,
    credentials: (id) => `${p}creds:${id}`,
    checkpoint: (id) => `${p}checkpoint:${id}`,
    owner: (id) => `${p}owner:${id}`,
    unfinishedRuns: (id) => `${p}runs:${id}`,
    storeOutage: (id) => `${p}store-outage:${id}`,
    idempotency: (tenant, keyHash) => `${p}idem:${tenant}:${keyHash}`,
    scopeLock: (scopeHash) => `${p}scope:${scopeHash}`,
    tenantRunning: (tenant) => `${p}running:${tenant}`,
    sequence: `${p}seq`,
    counters: `${p}items`,
    indexPrefix: `${p}idx:`,
    index: (tenant, status, source) => `${p}idx:${tenant ?? '*'}:${status ?? '*'}:${source ?? '*'}`,
    events: (id) => `${p}events:${id}`,
    callback: (id) => `${p}callback:${id}`,
    callbackPrefix: `${p}callback:`,
    callbacksDue: `${p}callbacks:due`,
    cancelChannel: `${p}cancel`,
    webhookDelivery: (syncId, deliveryHash) => `${prefix}webhook:delivery:${syncId}:${deliveryHash}`,
    webhookItem: (syncId, ref) => `${prefix}webhook:item:${syncId}:${ref}`,
    queuePrefix: `${prefix}bull`,
    dispatch: (id) => `${p}dispatch:${id}`,
    requeues: (id) => `${p}requeues:${id}`,
    tenants: `${p}tenants`,
    sweeperLock: `${p}sweeper:lock`,
    sweeperCursor: `${p}sweeper:cursor`,
  };
}

/** Index token for "no tenant" (tenant names are [A-Za-z0-9._-], so '~' cannot clash). */
export const NO_TENANT = '~';
