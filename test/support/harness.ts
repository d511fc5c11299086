/**
 * A whole jobs core for tests: real Redis (own db + key prefix), a real item store (PGlite in a
 * temp dir by default, or a PostgreSQL schema), the BullMQ worker, all on the shortened TEST_POLICY.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildDeps, createWorker, type Deps } from '../../src/deps.js';
import type { SqlItemStore } from '../../src/store/work-items.js';
import type { ImportWorker } from '../../src/jobs/worker.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { deletePrefix, TEST_REDIS_URL } from './redis.js';
import { seedPgliteDataDir, TEST_DATABASE_URL } from './store.js';
import { testConnectors } from './test-connector.js';
import type { Policy } from '../../src/policy.js';
import { TEST_POLICY } from './policy.js';

export interface Harness {
  deps: Deps;
  worker: ImportWorker | null;
  prefix: string;
  dataDir: string;
  env: Record<string, string>;
  waitFor(jobId: string, until?: (job: JobRecord) => boolean, timeoutMs?: number): Promise<JobRecord>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  connectors?: Record<SourceType, ConnectorModule>;
  postgres?: boolean;
  worker?: boolean;
  env?: Record<string, string>;
  logger?: Logger;
  /** default TEST_POLICY */
  policy?: Policy;
}

export const isTerminal = (job: JobRecord) => ['completed', 'failed', 'cancelled'].includes(job.status);

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const prefix = `t:${randomUUID().slice(0, 8)}:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'is-harness-'));
  const schema = opts.postgres ? `t_${randomUUID().replaceAll('-', '')}` : undefined;
  if (!opts.postgres) await seedPgliteDataDir(dataDir);
  const env: Record<string, string> = {
    REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
    ...(opts.postgres ? { DATABASE_URL: TEST_DATABASE_URL } : {}), ...opts.env,
  };
  const config = loadConfig(env);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const policy = opts.policy ?? TEST_POLICY;
  const deps = await buildDeps(config, logger, { connectors: opts.connectors ?? testConnectors, storeSchema: schema, policy });
  let worker: ImportWorker | null = null;
  if (opts.worker !== false) {
    worker = createWorker(deps);
    await worker.start();
  }
  return {
    deps, worker, prefix, dataDir, env: { ...env, ...(schema ? { TEST_STORE_SCHEMA: schema } : {}) },
    async waitFor(jobId, until = isTerminal, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await deps.records.get(jobId);
        if (job && until(job)) return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} did not reach the expected state: ${JSON.stringify(job?.status)} ${JSON.stringify(job?.progress)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async cleanup() {
      await worker?.close();
      if (schema) await (deps.store as SqlItemStore).db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await deletePrefix(deps.redis, prefix);
      await deps.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The harness with real connector modules against their fakes, loopback allowed. Other source
 * types keep the test connector.
 */
export function startSourceHarness(modules: ConnectorModule[], opts: Pick<HarnessOptions, 'postgres'> = {}): Promise<Harness> {
  const connectors = { ...testConnectors, ...Object.fromEntries(modules.map((m) => [m.sourceType, m])) } as Record<SourceType, ConnectorModule>;
  return startHarness({ ...opts, connectors, env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
}
