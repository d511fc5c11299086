/**
 * A worker in its own OS process (for crash and multi-worker tests): configured from the env the
 * harness hands over, driving the test connector. Prints `ready` once it takes jobs.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildDeps, createWorker } from '../../src/deps.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import { testConnectors } from './test-connector.js';
import { testPolicy } from './policy.js';

/** TEST_PAGE_DELAY_MS: every page of this process waits that long (a run that hangs before its first batch). */
function connectors(): Record<SourceType, ConnectorModule> {
  const delay = Number(process.env.TEST_PAGE_DELAY_MS ?? 0);
  if (!delay) return testConnectors;
  const slowed = (m: ConnectorModule): ConnectorModule => ({ ...m, create: (cfg, ctx) => m.create({ ...cfg, delay_ms: delay }, ctx) });
  return Object.fromEntries(Object.entries(testConnectors).map(([type, m]) => [type, slowed(m)])) as Record<SourceType, ConnectorModule>;
}

const config = loadConfig(process.env);
const policy = testPolicy({ worker: { lockDurationMs: 2000 } });
const deps = await buildDeps(config, pino({ level: 'silent' }), { connectors: connectors(), storeSchema: process.env.TEST_STORE_SCHEMA, policy });
const worker = createWorker(deps);
await worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => deps.close()).then(() => process.exit(0));
});
