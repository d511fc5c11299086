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
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
// The CPU spent starting, then at the end, so the parent counts only what the jobs took.
process.stdout.write(`ready ${cpuSeconds()}\n`);
process.on('SIGTERM', () => {
  process.stdout.write(`cpu ${cpuSeconds()}\n`);
  void worker.close().then(() => deps.close()).then(() => process.exit(0));
});
