/**
 * Issue #11's table, every row measured side by side in one run and printed as one markdown table
 * (measure, value, goal, pass/fail, the command that measures it alone), ready to paste into
 * BENCHMARKS.md. `npm run bench -- summary`, about 5 minutes on the 2-core machine.
 *
 * Rows, with what each reuses:
 *  1. 2,500 items with comments at 50 ms fake latency, each connector vs a naive sequential importer
 *     (page after page, one comment request per item): the connector imports all 2,500; the naive
 *     client is strictly sequential, so it is measured on its first NAIVE_SAMPLE items and its time
 *     projected linearly to 2,500 (whole, four of them would take ~9 minutes).
 *  2. achieved rate vs allowed rate, one process: bench/github.ts and bench/gitlab.ts (REST path).
 *  3. two processes, one account, one budget in Redis: bench/shared-rate.ts.
 *  4. GET /api/imports/{id} vs bare Fastify + ioredis: bench/core.ts measureGetRatio().
 *  5. npm start with the embedded database, 10,000 items: bench/embedded.ts when present.
 *  6. items/s with no source latency into the embedded database: bench/pipeline.ts.
 */
import { GithubFake } from '../src/sandbox/fakes/github.js';
import { JiraFake } from '../src/sandbox/fakes/jira.js';
import { generateIssues } from '../src/sandbox/fakes/jira-data.js';
import { FakeServiceNow } from '../src/sandbox/fakes/servicenow.js';
import { seedIncidents } from '../src/sandbox/fakes/servicenow-seed.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';
import * as github from './github.js';
import * as gitlab from './gitlab.js';
import * as jira from './jira.js';
import * as servicenow from './servicenow.js';
import { measured, twoProcesses, RATE as SHARED_RATE } from './shared-rate.js';
import { measurePipeline } from './pipeline.js';
import { measureGetRatio } from './core.js';
import { measureEmbedded } from './embedded.js';

const ITEMS = 2500;
const NAIVE_SAMPLE = 200;
const LATENCY_MS = 50;

interface Row {
  measure: string;
  value: string;
  goal: string;
  pass: boolean | null;
  command: string;
}

interface Timed {
  items: number;
  ms: number;
  requests: number;
}

const x = (n: number) => `${n.toFixed(1)}×`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The speed-up row of one source: connector over all ITEMS, naive projected from its sample. */
function speedupRow(source: string, ours: Timed, naive: Timed, goal: number, command: string): Row {
  const naiveMs = (naive.ms / naive.items) * ours.items;
  const ratio = naiveMs / ours.ms;
  return {
    measure: `${source}, ${ours.items.toLocaleString('en')} items with comments, ${LATENCY_MS} ms latency`,
    value: `**${x(ratio)}** faster than naive (${s(ours.ms)}, ${(ours.requests / ours.items).toFixed(2)} req/item; ` +
      `naive ${s(naiveMs)}, ${(naive.requests / naive.items).toFixed(2)} req/item, ${naive.items} measured)`,
    goal: `≥ ${goal}×`,
    pass: ratio >= goal,
    command,
  };
}

async function githubSpeedup(): Promise<Row> {
  const fake = await started(new GithubFake({ issues: ITEMS, prEvery: 0, latencyMs: LATENCY_MS }));
  try {
    const ours = await github.importAll(fake, 100);
    const naive = await github.plainSequential(fake, NAIVE_SAMPLE);
    return speedupRow('GitHub', ours, naive, 5, 'npm run bench -- github');
  } finally {
    await fake.close();
  }
}

async function servicenowSpeedup(): Promise<Row> {
  const fake = await started(new FakeServiceNow({ users: { [servicenow.USER]: servicenow.PASSWORD }, latencyMs: LATENCY_MS }));
  seedIncidents(fake.data, { count: ITEMS, journal: (i) => i % 5 });
  try {
    const ours = await servicenow.connectorImport(fake);
    const naive = await servicenow.plainSequential(fake, NAIVE_SAMPLE);
    return speedupRow('ServiceNow', ours, naive, 5, 'npm run bench -- servicenow');
  } finally {
    await fake.close();
  }
}

async function jiraSpeedup(): Promise<Row> {
  const issues = generateIssues({ count: ITEMS, comments: (i) => (i % 10 === 0 ? 45 : i % 4) });
  const fake = await started(new JiraFake({ flavor: 'cloud', issues, latencyMs: LATENCY_MS }));
  try {
    const ours = await jira.connectorImport(fake);
    const naive = await jira.plainSequential(fake, NAIVE_SAMPLE);
    return speedupRow('Jira Cloud', ours, naive, 3, 'npm run bench -- jira');
  } finally {
    await fake.close();
  }
}

async function gitlabSpeedup(): Promise<Row> {
  const fake = await gitlab.fakeWith(ITEMS, { latencyMs: LATENCY_MS });
  try {
    const ours = await gitlab.importAll(fake);
    const naive = await gitlab.plainSequential(fake, NAIVE_SAMPLE);
    return speedupRow('GitLab (GraphQL)', ours, naive, 8, 'npm run bench -- gitlab');
  } finally {
    await fake.close();
  }
}

function rateRow(measure: string, f: { rate: number; steady: number; windows: number; refused: number }, command: string): Row {
  const share = f.steady / f.rate;
  return {
    measure,
    value: `**${share.toFixed(2)} R** (${f.steady.toFixed(1)} of ${f.rate} req/s over ${f.windows} windows), **${f.refused} × 429**`,
    goal: '≥ 0.85 R, 0 × 429',
    pass: share >= 0.85 && f.refused === 0,
    command,
  };
}

async function sharedRateRow(): Promise<Row> {
  const f = await measured((fake) => twoProcesses(fake, true));
  return rateRow('achieved rate, two processes, one account (GitHub, budget in Redis)', { ...f, rate: SHARED_RATE }, 'npm run bench -- shared-rate');
}

async function getRow(): Promise<Row> {
  // GET through the whole app over a bare Fastify + ioredis GET of the same key, interleaved (bench/core.ts)
  const r = await measureGetRatio();
  const rates = ` (${r.ours.toFixed(0)} vs ${r.bare.toFixed(0)} req/s)`;
  return {
    measure: '`GET /api/imports/{id}` vs bare Fastify + ioredis GET', value: `**${r.ratio.toFixed(2)}**${rates}`,
    goal: '≥ 0.85', pass: r.ratio >= 0.85, command: 'npm run bench -- core',
  };
}

/** `npm start` with PGlite, 10,000 GitHub items (bench/embedded.ts). */
async function embeddedRow(): Promise<Row> {
  const measure = 'peak RSS and time to healthy, `npm start` with the embedded database, 10,000 items';
  const goal = '≤ 300 MiB peak, ≤ 3 s to healthy';
  const command = 'npm run bench -- embedded';
  const f = await measureEmbedded();
  const start = Math.max(f.startSeconds, f.startSecondsExisting);
  return {
    measure,
    value: `**${f.peakRssMiB} MiB** peak (idle after restart ${f.idleRssMiB} MiB), **${f.startSeconds.toFixed(1)} s** to healthy fresh, ${f.startSecondsExisting.toFixed(1)} s on the filled data dir`,
    goal, pass: f.peakRssMiB <= 300 && start <= 3, command,
  };
}

async function pipelineRow(): Promise<Row> {
  const f = await measurePipeline({ count: 10_000 });
  return {
    measure: 'items per second, no source latency, into the embedded database (test connector, 10,000 items, batches of 100)',
    value: `**${f.perSecond.toFixed(0)}** items/s (${f.seconds.toFixed(2)} s; ${(f.items / f.cpuSeconds).toFixed(0)} items per CPU-second of the worker process)`,
    goal: '≥ 3,000', pass: f.perSecond >= 3000, command: 'npm run bench -- pipeline',
  };
}

/** Runs one row's measurement; a failure is a row saying so, not the end of the table. */
async function attempt(measure: string, fn: () => Promise<Row>): Promise<Row> {
  try {
    return await fn();
  } catch (err) {
    return { measure, value: `failed: ${err instanceof Error ? err.message : String(err)}`, goal: '', pass: false, command: '' };
  }
}

export async function run(print: (line: string) => void): Promise<void> {
  const t0 = Date.now();
  const rows: Row[] = [];
  const step = async (measure: string, fn: () => Promise<Row>) => {
    const t = Date.now();
    const row = await attempt(measure, fn);
    rows.push(row);
    print(`  measured: ${row.measure} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  };
  await step('GitHub speed-up', githubSpeedup);
  await step('ServiceNow speed-up', servicenowSpeedup);
  await step('Jira speed-up', jiraSpeedup);
  await step('GitLab speed-up', gitlabSpeedup);
  await step('rate, one process, GitHub', async () => rateRow('achieved rate vs allowed rate, one process, GitHub', await github.measureRate(), 'npm run bench -- github'));
  await step('rate, one process, GitLab', async () => rateRow('achieved rate vs allowed rate, one process, GitLab (REST path)', await gitlab.measureRate(), 'npm run bench -- gitlab'));
  await step('rate, two processes', sharedRateRow);
  await step('GET ratio', getRow);
  await step('embedded', embeddedRow);
  await step('pipeline', pipelineRow);
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  print('');
  print(`Issue #11 summary, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${((Date.now() - t0) / 1000).toFixed(0)} s, load average at the end ${load}`);
  print('');
  print('| measure | measured | goal | | reproduce alone |');
  print('|---|---|---|---|---|');
  for (const r of rows) {
    const verdict = r.pass === null ? '—' : r.pass ? 'pass' : '**FAIL**';
    print(`| ${r.measure} | ${r.value} | ${r.goal} | ${verdict} | \`${r.command || 'npm run bench -- summary'}\` |`);
  }
}
