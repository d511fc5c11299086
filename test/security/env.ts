/**
 * The whole service as a user meets it: the HTTP API (with an API key) over the real jobs core and
 * worker, the four real connectors, every log line at trace level captured, and helpers that record
 * every API response, every Redis value under the test's prefix and every database row.
 */
import { pino } from 'pino';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import { jiraModule } from '../../src/connectors/jira/index.js';
import { servicenowModule } from '../../src/connectors/servicenow/index.js';
import { githubModule } from '../../src/connectors/github/index.js';
import { gitlabModule } from '../../src/connectors/gitlab/index.js';
import type { SqlItemStore } from '../../src/store/work-items.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { startHarness, type Harness } from '../support/harness.js';
import { dumpValues } from '../support/redis.js';
import { Collected, SECRETS } from './support.js';

export const CONNECTORS = {
  jira: jiraModule, servicenow: servicenowModule, github: githubModule, gitlab: gitlabModule,
} as unknown as Record<SourceType, ConnectorModule>;

export interface SecurityEnv {
  harness: Harness;
  app: FastifyInstance;
  seen: Collected;
  /** An API call with the API key; its status, headers and body are recorded. */
  call(opts: InjectOptions): Promise<{ status: number; json: () => any; body: string }>;
  /** POSTs an import and waits until it ends; returns the final job JSON as the API shows it. */
  runImport(body: Record<string, unknown>): Promise<JobRecord>;
  snapshotRedis(label: string): Promise<void>;
  snapshotDatabase(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function securityEnv(): Promise<SecurityEnv> {
  const seen = new Collected();
  const logger = pino({ level: 'trace' }, { write: (line: string) => void seen.add('log', line) });
  const harness = await startHarness({ connectors: CONNECTORS, env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' }, logger });
  const app = await buildApp({
    jobs: harness.deps.jobs,
    items: harness.deps.store,
    health: healthProbe(harness.deps.redis, harness.deps.store),
    connectors: CONNECTORS,
    apiKeys: new Map([[SECRETS.apiKey, 'acme']]),
    version: '0.0.0-security',
    environment: 'test',
    logger,
    policy: harness.deps.policy.api,
  });

  const env: SecurityEnv = {
    harness,
    app,
    seen,
    async call(opts) {
      const res = await app.inject({ ...opts, headers: { authorization: `Bearer ${SECRETS.apiKey}`, ...opts.headers } });
      seen.add(`response ${opts.method ?? 'GET'} ${String(opts.url)}`, `${JSON.stringify(res.headers)}\n${res.body}`);
      return { status: res.statusCode, json: () => res.json(), body: res.body };
    },
    async runImport(body) {
      const created = await env.call({ method: 'POST', url: '/api/imports', payload: body });
      if (created.status !== 201 && created.status !== 202) throw new Error(`POST /api/imports: ${created.status} ${created.body}`);
      const id = (created.json() as JobRecord).job_id;
      await env.snapshotRedis(`after POST ${id}`);
      await harness.waitFor(id, undefined, 30_000);
      const job = await env.call({ url: `/api/imports/${id}` });
      for (const url of [`/api/imports/${id}/items?limit=1000`, `/api/imports/${id}/events`]) await env.call({ url });
      return job.json() as JobRecord;
    },
    async snapshotRedis(label) {
      seen.add(`redis ${label}`, await dumpValues(harness.deps.redis, harness.prefix));
    },
    async snapshotDatabase() {
      const db = (harness.deps.store as SqlItemStore).db;
      const { rows } = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      );
      for (const { table_name } of rows) {
        const data = await db.query<{ r: unknown }>(`SELECT row_to_json(t) AS r FROM "${table_name}" t`);
        seen.add(`database ${table_name}`, data.rows.map((x) => JSON.stringify(x.r)).join('\n'));
      }
    },
    async cleanup() {
      await app.close();
      await harness.cleanup();
    },
  };
  return env;
}
