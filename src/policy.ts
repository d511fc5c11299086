/**
 * The policy catalog: every retry count, backoff, timeout, lease, cap and hand-off value of the
 * service in one typed place. src/deps.ts builds the service with DEFAULT_POLICY and hands each
 * part to what uses it; tests shorten it there (test/support/policy.ts), never by other means.
 * Limits the contract fixes (the 1 MiB body, batch_size 1..1000) are not tuning and stay with it.
 */

/** Capped exponential backoff: attempt n waits up to min(maxMs, baseMs · 2^(n-1)). */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * The one backoff of the service, with jitter in [ceiling/2, ceiling]: retries of many clients spread
 * out, yet never collapse to 0 — so `baseMs / 2` is the shortest first wait.
 */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Defaults of every client of the outbound HTTP layer (a client may override them, see SourceHttpOptions). */
export interface HttpPolicy {
  /** Requests in flight per account gate. */
  concurrency: number;
  /** One attempt, connect to last body byte. */
  timeoutMs: number;
  /** Further attempts after a 5xx, 408 or network fault (CONTRACT §7: at least 5). */
  retries: number;
  backoff: Backoff;
  /** A single wait the source asks for that is longer fails with SOURCE_RATE_LIMITED. */
  maxWaitMs: number;
  /** A wait longer than this (and within maxWaitMs) hands the job back to the queue instead of sleeping. */
  handOffWaitMs: number;
  /** Requests of a reported budget kept unused. */
  reserve: number;
  /** A larger response body fails with SOURCE_RESPONSE_INVALID. */
  maxBodyBytes: number;
  maxRedirects: number;
  /**
   * Response headers larger than this fail the request. undici's default (16 KiB) is too small
   * for ServiceNow, whose Link header repeats the whole encoded query (100 sys_ids) three times.
   */
  maxHeaderBytes: number;
}

export interface RateBudgetPolicy {
  /** Request tokens a gate leases from Redis at once: one round trip per block, not per request. */
  block: number;
  /** Tokens held (unused or in flight) per account across the deployment: its concurrency limit. */
  maxInFlight: number;
  /** Tokens of a process that stops renewing them (it died) are free again after this long. */
  leaseMs: number;
  /** With the budget held by requests still out, a gate asks again after this long. */
  pollMs: number;
  /** A Redis call that takes longer counts as Redis down. */
  timeoutMs: number;
  /** After a failed call, gates keep to their local view this long before trying Redis again. */
  fallbackMs: number;
  /** An idle gate gives its unused tokens back after this long. */
  idleMs: number;
  /** Keys outlive the reset, pause and leases they hold by this long. */
  keyMarginMs: number;
}

/**
 * PostgreSQL settings the embedded database starts with (`-c name=value`, after PGlite's own).
 * PGlite runs PostgreSQL inside the service's process, so its memory is the service's RSS:
 * PostgreSQL touches all of shared_buffers at start (128MB by default: ~130 MiB and ~1 s).
 */
export interface EmbeddedDbPolicy {
  settings: Readonly<Record<string, string>>;
  /**
   * V8 flags a service process using the embedded database sets at start (src/main.ts), before
   * PGlite's wasm is compiled. V8's heap growing factor lets the old generation reach ~3× what
   * survives before a full GC (during an import ~150 MiB of garbage, most of the peak above PGlite's
   * fixed cost); and optimizing PostgreSQL's 9 MB of wasm with TurboFan costs ~35 MiB and CPU that
   * an import, which waits on its source, never wins back. Figures: BENCHMARKS.md, "Embedded database".
   */
  v8Flags: readonly string[];
}

export interface Policy {
  /** Every source request. */
  http: HttpPolicy;
  /** Accounts (source + origin + credentials + settings) whose gate one process keeps. */
  maxAccountGates: number;
  /** The rate budget every process of the deployment shares per account in Redis (src/outbound/shared-budget.ts). */
  rateBudget: RateBudgetPolicy;
  /** Completion callbacks, delivered from the outbox by every worker process (src/jobs/callbacks/). */
  callback: {
    /** One delivery attempt, connect to last byte; below `leaseMs`, so no attempt outlives its claim. */
    timeoutMs: number;
    /** Attempts in flight per process. */
    concurrency: number;
    /** Between failed attempts (a Retry-After the receiver sends is honoured instead). */
    backoff: Backoff;
    /** Attempts go on this long after the job ended; then the callback is `failed`. */
    horizonMs: number;
    /** A claimed attempt whose process died is made again after this long. */
    leaseMs: number;
    /** How often each worker process looks for callbacks that are due. */
    pollMs: number;
  };
  jobs: {
    /** A job the source keeps handing back this often fails with SOURCE_RATE_LIMITED. */
    maxRateLimitHandoffs: number;
    /**
     * Tries of one store write in the worker: after that an outage hands the job back to the queue,
     * any other failure (not a refused item: those fail alone) fails the job with STORE_UNAVAILABLE.
     */
    storeAttempts: number;
    storeBackoff: Backoff;
    /** A job handed back for a store outage waits this long in the queue (growing with each hand-back). */
    storeOutageBackoff: Backoff;
    /** A store unreachable this long (counted from the job's first hand-back for it) fails the job with STORE_UNAVAILABLE. */
    storeOutageMaxMs: number;
    /** A run that throws where nothing else catches (Redis failing under it) goes back to the queue for this long. */
    errorRetry: Backoff;
    /** An incremental run starts this long before the last watermark (clock skew, late index updates). */
    incrementalOverlapMs: number;
    /** A running job's progress note (retrying, waiting) is written at most this often. */
    noteIntervalMs: number;
  };
  worker: {
    /** BullMQ lock on a running job; a worker that stops renewing it loses the job after this long. */
    lockDurationMs: number;
    /** How often BullMQ looks for jobs whose lock lapsed. */
    stalledIntervalMs: number;
    /** Runs lost in a row (worker died or stalled) before the job fails with INTERNAL_ERROR. */
    maxLostRuns: number;
    /** A job whose scope is busy goes back to the queue for this long. */
    scopeBusyRetryMs: number;
    /** A job whose tenant runs TENANT_MAX_RUNNING jobs goes back to the queue for this long (jittered). */
    tenantBusyRetry: Backoff;
  };
  scopeLock: {
    /** The one-running-job-per-scope lease; a crashed holder's scope frees after this long. */
    leaseMs: number;
    renewEveryMs: number;
  };
  retention: {
    /** How often the item logs of expired jobs are swept. */
    sweepEveryMs: number;
    /** Jobs looked at per sweep. */
    sweepBatch: number;
    /** BullMQ keeps finished queue entries this long (the job record has its own TTL). */
    queueEntrySeconds: number;
    /** Change-feed rows are kept this many days; a reader whose cursor is older gets CURSOR_EXPIRED (410). */
    changeFeedDays: number;
  };
  /**
   * The sweeper every worker process runs (src/jobs/sweeper.ts); one pass per interval happens
   * deployment-wide, whatever the number of processes.
   */
  sweeper: {
    everyMs: number;
    /** A pending job younger than this is left alone: the request that created it may still be enqueueing it. */
    pendingGraceMs: number;
    /** Pending jobs looked at per pass. */
    pendingBatch: number;
    /** Times one job is re-enqueued before it fails with INTERNAL_ERROR instead of circling. */
    maxRequeues: number;
    /** Index entries checked per pass by the pruning of expired ids. */
    pruneBudget: number;
    /** Tenants whose indexes one pass visits at most. */
    pruneTenants: number;
  };
  syncs: {
    /** Ticks one worker process handles at once (a tick only starts a run: quick). */
    tickConcurrency: number;
    /** Active syncs looked at per query when a worker starts and puts back lost schedulers. */
    restoreBatch: number;
  };
  /** Vendor webhook deliveries (CONTRACT §12, src/webhooks/). */
  webhooks: {
    /** Deliveries one worker process fetches at once. */
    concurrency: number;
    /** Tries of one delivery (a source or store outage) before it is given up, logged. */
    attempts: number;
    /** BullMQ's exponential backoff between tries: baseMs, 2·baseMs, 4·baseMs, … */
    retryBaseMs: number;
    /** A delivery id is remembered this long: a repeat within it does nothing. */
    dedupSeconds: number;
    /** One delivery per item at a time; a second one waits this long in the queue and tries again. */
    itemBusyRetryMs: number;
    /** The per-item hold, released at the end of a delivery; a crashed holder's lapses after this long. */
    itemLockMs: number;
  };
  redis: {
    reconnect: Backoff;
    /**
     * An API command sent into a connection that went silent fails after this long, so the API
     * answers 503 within 2 s (CONTRACT §8), not hangs; one sent while the connection is known down fails at once.
     */
    apiCommandTimeoutMs: number;
  };
  api: {
    sseHeartbeatMs: number;
    /** Open event streams one tenant (or, with API keys off, everyone) may hold on one API process. */
    sseMaxStreamsPerTenant: number;
    /** A health probe that takes longer counts as down. */
    healthProbeTimeoutMs: number;
    /** Each read of a /metrics scrape (Redis counts, pings), run side by side: a scrape answers within about this long. */
    metricsReadTimeoutMs: number;
  };
  /** The command-line client (src/cli/): how it follows a job and pages an export. */
  cli: {
    /** Between GET /api/imports/{id} while following a job without its event stream. */
    pollMs: number;
    /** At most one plain progress line this often when stderr is not a terminal (status changes always print). */
    plainLineMs: number;
    /** How long a followed job's service may stay unreachable before the CLI gives up (exit 3). */
    reconnectMs: number;
    /** Items per GET /api/items page of `items export`: bounds the CLI's memory (items may be large). */
    exportPageSize: number;
  };
  itemChanges: {
    /** Change rows the feed's sequencer numbers per pass (a reader's request runs one pass). */
    sequenceBatch: number;
  };
  /**
   * Attachment content (options.download_attachments, issue 12): caps on what one job downloads into
   * the blob store. ATTACHMENT_MAX_*_MB override the caps per deployment (src/config.ts).
   */
  attachments: {
    /** One file over this is not downloaded ("over the per-file cap"). */
    maxFileBytes: number;
    /** The attachments of one item together, stored ones reused included. */
    maxItemBytes: number;
    /** Bytes one job downloads (counted across its resumes; blobs reused from an earlier run are free). */
    maxJobBytes: number;
    /** Downloads in flight per job; bytes held in memory stay under maxFileBytes × this. */
    concurrency: number;
    /** One attempt of one S3 call (connect, then the whole transfer). */
    s3TimeoutMs: number;
  };
  /** The embedded database (PGlite, used when DATABASE_URL is unset): src/store/pglite.ts. */
  embeddedDb: EmbeddedDbPolicy;
  sources: {
    github: {
      concurrency: number;
      /** Pages of one list requested ahead of the page being processed. */
      window: number;
      /** Pages in preparation at once (issue list plus their comments and parents). */
      pagesAhead: number;
      /** Waits after secondary limits naming no time (GitHub: "at least one minute", growing). */
      secondaryBackoff: Backoff;
      /** Pages (100 events each) of the repository-wide issue events held for a job's history; past them, per issue. */
      historyBulkPages: number;
      /**
       * Pages (100 comments each) of the repository-wide comment list read and held for a job; a longer
       * list is not read and comments come per commented issue, so memory does not grow with the repository.
       */
      bulkCommentPages: number;
    };
    gitlab: {
      concurrency: number;
      /** Pages in preparation at once (list request plus their notes). */
      pagesAhead: number;
      /** Offset pages fetched at once when the totals are known. */
      listWindow: number;
      /** Wait after a 429 that names no time (GitLab's windows are per minute). */
      fallbackWaitMs: number;
      /** Notes asked for inline with each issue of a GraphQL page (max 100); an issue with more reads them all over REST. */
      graphqlNotesPerIssue: number;
    };
    jira: {
      /** Issues whose remaining comments are fetched at once. */
      commentConcurrency: number;
      /** Issues whose whole changelog is read one by one at once (when the bulk read leaves them short). */
      historyConcurrency: number;
    };
    servicenow: {
      /**
       * Rows read per chunk of 100 records (one bulk query) before the rest is left unread and the
       * records missing rows are marked partial: bounds a page's work when automation wrote thousands
       * of audit rows or journal entries to a few records.
       */
      journalRowsPerChunk: number;
      historyRowsPerChunk: number;
      attachmentRowsPerChunk: number;
    };
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const MIB = 1024 * 1024;

export const DEFAULT_POLICY: Policy = {
  http: {
    concurrency: 4,
    timeoutMs: 30 * SECOND,
    retries: 5,
    backoff: { baseMs: 500, maxMs: 30 * SECOND },
    maxWaitMs: 15 * MINUTE,
    handOffWaitMs: 30 * SECOND,
    reserve: 1,
    maxBodyBytes: 64 * 1024 * 1024,
    maxRedirects: 5,
    maxHeaderBytes: 256 * 1024,
  },
  maxAccountGates: 1000,
  // 64 in flight per account deployment-wide: under GitHub's secondary limit of 100 concurrent requests.
  rateBudget: {
    block: 8, maxInFlight: 64, leaseMs: 30 * SECOND, pollMs: 20, timeoutMs: SECOND, fallbackMs: 5 * SECOND, idleMs: 50, keyMarginMs: MINUTE,
  },
  // A receiver down for an hour gets its delivery within 15 min of coming back.
  callback: {
    timeoutMs: 10 * SECOND, concurrency: 8, backoff: { baseMs: 5 * SECOND, maxMs: 15 * MINUTE },
    horizonMs: 24 * 60 * MINUTE, leaseMs: MINUTE, pollMs: SECOND,
  },
  jobs: {
    maxRateLimitHandoffs: 8,
    storeAttempts: 5,
    storeBackoff: { baseMs: 500, maxMs: 8 * SECOND },
    // CONTRACT §8: a PostgreSQL restart is waited out for up to 10 minutes.
    storeOutageBackoff: { baseMs: 5 * SECOND, maxMs: MINUTE },
    storeOutageMaxMs: 10 * MINUTE,
    errorRetry: { baseMs: 5 * SECOND, maxMs: 10 * SECOND },
    incrementalOverlapMs: 5 * MINUTE,
    noteIntervalMs: SECOND,
  },
  worker: { lockDurationMs: 30 * SECOND, stalledIntervalMs: 30 * SECOND, maxLostRuns: 3, scopeBusyRetryMs: 2 * SECOND, tenantBusyRetry: { baseMs: 2 * SECOND, maxMs: 2 * SECOND } },
  scopeLock: { leaseMs: 2 * MINUTE, renewEveryMs: 40 * SECOND },
  retention: { sweepEveryMs: 10 * MINUTE, sweepBatch: 1000, queueEntrySeconds: 24 * 3600, changeFeedDays: 30 },
  sweeper: { everyMs: 10 * SECOND, pendingGraceMs: 30 * SECOND, pendingBatch: 200, maxRequeues: 3, pruneBudget: 2000, pruneTenants: 50 },
  redis: { reconnect: { baseMs: 400, maxMs: 10 * SECOND }, apiCommandTimeoutMs: 1500 },
  api: { sseHeartbeatMs: 15 * SECOND, sseMaxStreamsPerTenant: 100, healthProbeTimeoutMs: 3 * SECOND, metricsReadTimeoutMs: 1500 },
  cli: { pollMs: SECOND, plainLineMs: SECOND, reconnectMs: MINUTE, exportPageSize: 100 },
  itemChanges: { sequenceBatch: 10_000 },
  embeddedDb: {
    settings: {
      shared_buffers: '8MB',
      // CREATE INDEX in a migration may use all of it, and wasm memory never shrinks.
      maintenance_work_mem: '16MB',
      // A single-user backend checkpoints only when the WAL reaches this, and replays it all after a kill.
      max_wal_size: '64MB',
      min_wal_size: '32MB',
    },
    v8Flags: ['--heap-growing-percent=10', '--wasm-lazy-compilation', '--liftoff-only'],
  },
  syncs: { tickConcurrency: 4, restoreBatch: 500 },
  // GitHub retries nothing and Jira a few times: ours are the retries that matter (about 1 min in all).
  webhooks: { concurrency: 4, attempts: 6, retryBaseMs: 2 * SECOND, dedupSeconds: 24 * 3600, itemBusyRetryMs: 500, itemLockMs: MINUTE },
  attachments: { maxFileBytes: 25 * MIB, maxItemBytes: 100 * MIB, maxJobBytes: 2 * 1024 * MIB, concurrency: 4, s3TimeoutMs: MINUTE },
  sources: {
    // GitHub asks for restraint (secondary limit: 100 concurrent); first secondary wait 60–120 s.
    // 100 event pages: 10,000 events compacted to ~2 MB, one request per 100 events instead of one per issue.
    // 100 comment pages: up to 10,000 comments held (~15-30 MB) for 100 requests instead of ~1 per commented
    // issue (2,500 issues with 5,000 comments: 50 requests instead of ~1,900); 20 until issue 11.
    github: {
      concurrency: 4, window: 4, pagesAhead: 2, secondaryBackoff: { baseMs: 2 * MINUTE, maxMs: 15 * MINUTE },
      historyBulkPages: 100, bulkCommentPages: 100,
    },
    gitlab: { concurrency: 8, pagesAhead: 2, listWindow: 4, fallbackWaitMs: MINUTE, graphqlNotesPerIssue: 50 },
    jira: { commentConcurrency: 4, historyConcurrency: 4 },
    // 20 requests of 1,000 rows per 100 records at most: 200 audit rows per record on average.
    servicenow: { journalRowsPerChunk: 50_000, historyRowsPerChunk: 20_000, attachmentRowsPerChunk: 10_000 },
  },
};
