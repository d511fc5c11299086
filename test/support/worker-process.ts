/**
 * A worker in its own OS process (for crash and multi-worker tests): configured from the env the
 * harness hands over, driving the test connector. Prints `ready` once it takes jobs.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildDeps, createWorker } from '../../src/deps.js';
import { testConnectors } from './test-connector.js';
import { testPolicy } from './policy.js';

const config = loadConfig(process.env);
const policy = testPolicy({ worker: { lockDurationMs: 2000 } });
const deps = await buildDeps(config, pino({ level: 'silent' }), { connectors: testConnectors, storeSchema: process.env.TEST_STORE_SCHEMA, policy });
const worker = createWorker(deps);
await worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => deps.close()).then(() => process.exit(0));
});
