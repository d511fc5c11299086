/**
 * One worker process of bench/scale.ts: the service's worker role (real connectors, DEFAULT_POLICY)
 * configured from the env, its item store in STORE_SCHEMA of the shared PostgreSQL. Prints `ready`
 * once it takes jobs; SIGTERM prints the CPU seconds it used and closes it.
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { connectors } from '../src/connectors/registry.js';
import { buildDeps, createWorker } from '../src/deps.js';

const deps = await buildDeps(loadConfig(process.env), pino({ level: 'silent' }), { connectors, storeSchema: process.env.STORE_SCHEMA });
const worker = createWorker(deps);
await worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  // The CPU this worker spent, for the parent's table (startup included: it is small beside the run).
  const { user, system } = process.cpuUsage();
  process.stdout.write(`cpu ${(user + system) / 1e6}\n`);
  void worker.close().then(() => deps.close()).then(() => process.exit(0));
});
