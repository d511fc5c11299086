/**
 * The HTTP app over the real jobs core (Redis with a per-file key prefix, PGlite store, BullMQ)
 * with a captured pino stream. Connectors: a strict test connector (every source_type) whose
 * schema refuses unknown fields and has one cross-field rule, driving the shared test source.
 */
import { Type } from 'typebox';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { healthProbe } from '../../src/http/health-probe.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createTestConnector, type TestConfig } from '../support/test-connector.js';

export const SECRET = 'sk-live-5ecret-t0ken-value';

const strictSchema = Type.Object(
  {
    base_url: Type.String({ pattern: '^https?://' }),
    scope: Type.String({ minLength: 1 }),
    count: Type.Integer({ minimum: 0 }),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    bad_items: Type.Optional(Type.Array(Type.Integer())),
    token: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const strictTestModule: ConnectorModule<TestConfig> = {
  sourceType: 'github',
  configSchema: strictSchema,
  secretFields: ['token', 'password'],
  validate: (c) => (c.password !== undefined && c.username === undefined ? [{ path: '/username', message: 'is required with password' }] : []),
  describe: (c) => ({ base_url: c.base_url, scope: c.scope, project: c.scope }),
  create: (c) => createTestConnector(c),
};

const CONNECTORS = Object.fromEntries(
  (['jira', 'servicenow', 'github', 'gitlab'] as const).map((st) => [st, { ...strictTestModule, sourceType: st }]),
) as unknown as Record<SourceType, ConnectorModule>;

/** A valid POST /api/imports body; `config` is merged into source_config. */
export function importBody(config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { source_type: 'jira', source_config: { base_url: 'https://source.example.com', scope: 'TEST', count: 3, ...config }, ...extra };
}

export interface HttpEnv {
  harness: Harness;
  /** Every log line written by the app and the core, as raw JSON text. */
  logs: string[];
  deps: AppDeps;
  app(overrides?: Partial<AppDeps>): Promise<FastifyInstance>;
  cleanup(): Promise<void>;
}

export async function httpEnv(
  opts: { worker?: boolean; env?: Record<string, string>; connectors?: Record<SourceType, ConnectorModule>; postgres?: boolean } = {},
): Promise<HttpEnv> {
  const connectors = opts.connectors ?? CONNECTORS;
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const harness = await startHarness({ connectors, worker: opts.worker ?? false, logger, env: opts.env, postgres: opts.postgres });
  const deps: AppDeps = {
    jobs: harness.deps.jobs,
    items: harness.deps.store,
    health: healthProbe(harness.deps.redis, harness.deps.store),
    connectors,
    apiKeys: null,
    version: '9.9.9-test',
    environment: 'test',
    logger,
    policy: harness.deps.policy.api,
  };
  const apps: FastifyInstance[] = [];
  return {
    harness,
    logs,
    deps,
    async app(overrides = {}) {
      const app = await buildApp({ ...deps, ...overrides });
      apps.push(app);
      return app;
    },
    async cleanup() {
      for (const app of apps) await app.close();
      await harness.cleanup();
    },
  };
}
