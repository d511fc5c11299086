/**
 * One side of the memory benchmark, run in a process of its own (see memory.ts):
 *   memory-child.ts fake <issues>        serves a GitHub fake and prints its address as one JSON line
 *   memory-child.ts connector <fake>     drains the GitHub connector with comments (every record normalized)
 *   memory-child.ts job <fake>           imports it as a job: worker → run-import → PostgreSQL store
 * The importing sides print one JSON line with their figures, peak RSS included.
 */
import { githubModule } from '../src/connectors/github/index.js';
import type { ConnectorModule, SourceType } from '../src/connectors/connector.js';
import { DEFAULT_POLICY } from '../src/policy.js';
import { GithubFake } from '../src/sandbox/fakes/github.js';
import { startHarness } from '../test/support/harness.js';
import { testConnectors } from '../test/support/test-connector.js';
import { drainConnector } from './drain.js';

interface FakeAddress {
  base_url: string;
  token: string;
  owner: string;
  repo: string;
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
/** Peak resident set of this process so far (ru_maxrss is in KiB on Linux). */
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function serveFake(issues: number): Promise<void> {
  // No pull requests: every listed item is an item; n % 5 comments each (2 on average).
  const fake = new GithubFake({ issues, prEvery: 0, rateLimit: { limit: 1e9, windowMs: 3_600_000 } });
  await fake.start();
  const address: FakeAddress = { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo };
  console.log(JSON.stringify({ ...address, comments: fake.data.comments.length }));
  process.stdin.resume();
  process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
}

async function drain(address: FakeAddress): Promise<void> {
  const before = peakRssMiB();
  const r = await drainConnector(githubModule as unknown as ConnectorModule, { ...address }, 100);
  console.log(JSON.stringify({ ...r, startRss: before, peakRss: peakRssMiB(), heapUsed: mib(process.memoryUsage().heapUsed) }));
}

async function job(address: FakeAddress): Promise<void> {
  const connectors = { ...testConnectors, github: githubModule } as unknown as Record<SourceType, ConnectorModule>;
  const h = await startHarness({ connectors, postgres: true, env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' }, policy: DEFAULT_POLICY });
  try {
    const before = peakRssMiB();
    const t0 = performance.now();
    const ctx = { tenantId: null, requestId: 'bench-memory', correlationId: null, idempotencyKey: null };
    const { job: created } = await h.deps.jobs.create({ source_type: 'github', source_config: { ...address }, options: { batch_size: 100 } }, ctx);
    const done = await h.waitFor(created.job_id, undefined, 3_600_000);
    if (done.status !== 'completed') throw new Error(`bench job ended ${done.status}: ${done.error_code} ${done.error_message}`);
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ items: done.progress.successful_items, ms, startRss: before, peakRss: peakRssMiB(), heapUsed: mib(process.memoryUsage().heapUsed) }));
  } finally {
    await h.cleanup();
  }
}

const [mode, arg] = process.argv.slice(2);
const sourceConfig = (): FakeAddress => {
  const { base_url, token, owner, repo } = JSON.parse(arg!) as FakeAddress;
  return { base_url, token, owner, repo };
};
if (mode === 'fake') await serveFake(Number(arg));
else if (mode === 'connector') await drain(sourceConfig());
else if (mode === 'job') await job(sourceConfig());
else throw new Error(`memory-child: unknown mode ${mode}`);
if (mode !== 'fake') process.exit(0);
