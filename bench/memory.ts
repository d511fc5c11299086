/**
 * Peak RSS importing 10,000 and 50,000 GitHub items with comments (CONTRACT §7: the larger at
 * most 1.3× the smaller), side by side in one run. Each import runs in a fresh process of its
 * own, so the peaks are independent; the fake serving the repository runs in yet another
 * process, so its copy of the data is not counted. Two importers:
 *  - connector: pages() drained with comments, every record normalized (what the connector holds);
 *  - job: the whole worker path — BullMQ job, run-import, upserts into PostgreSQL.
 * About 190 MiB of every peak is the process before the import (tsx, the modules), so the growth
 * during the import is printed too: it shows what the import itself holds.
 * `npm run bench -- memory`; BENCH_MEMORY_MODES=connector limits it to one importer.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SIZES = [10_000, 50_000];
const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

interface Figures {
  items: number;
  ms: number;
  requests?: number;
  startRss: number;
  peakRss: number;
  heapUsed: number;
}

/** Starts a child and resolves with its first stdout line; the child keeps running. */
function child(args: string[]): { line: Promise<string>; stop: () => void; exited: Promise<number | null> } {
  const proc = spawn(TSX, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const line = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`memory-child ${args[0]} exited ${code} before answering`)));
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  return { line, stop: () => proc.stdin.end(), exited };
}

async function measure(mode: string, issues: number): Promise<Figures> {
  const fake = child(['fake', String(issues)]);
  try {
    const address = await fake.line;
    const importer = child([mode, address]);
    return JSON.parse(await importer.line) as Figures;
  } finally {
    fake.stop();
    await fake.exited;
  }
}

export async function run(print: (line: string) => void): Promise<void> {
  const modes = (process.env.BENCH_MEMORY_MODES ?? 'connector,job').split(',');
  print('GitHub with comments (no pull requests, n % 5 comments per issue: 2 on average), fake in its own process, no latency');
  for (const mode of modes) {
    const peaks: number[] = [];
    const growths: number[] = [];
    for (const size of SIZES) {
      const f = await measure(mode, size);
      peaks.push(f.peakRss);
      growths.push(f.peakRss - f.startRss);
      const requests = f.requests !== undefined ? `, ${f.requests} requests` : '';
      print(`  ${mode.padEnd(9)} ${size.toLocaleString('en').padStart(6)} items: peak RSS ${f.peakRss} MiB (${f.startRss} MiB before the import, heap ${f.heapUsed} MiB at the end), ${(f.ms / 1000).toFixed(1)} s${requests}`);
    }
    print(`  ${mode.padEnd(9)} peak RSS 50,000 / 10,000 = ${(peaks[1]! / peaks[0]!).toFixed(2)} (goal ≤ 1.30); ` +
      `growth during the import (peak − before) ${growths[0]} → ${growths[1]} MiB = ${(growths[1]! / Math.max(1, growths[0]!)).toFixed(2)}`);
  }
}
