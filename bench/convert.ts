/**
 * Conversion cost per byte, `npm run bench -- convert`: for every converter, CPU time per byte
 * at 10 KB, 100 KB and 1 MB of realistic text and of the worst hostile input known for it (the
 * slowest at 100 KB of the shapes in test/connectors/convert-cases.ts), and t(1 MB)/t(100 KB).
 * Linear code gives about 10; the goal is at most 12. CPU time, not wall time, so other
 * processes on the machine do not inflate the figures.
 * Reproduce: NODE_OPTIONS=--expose-gc npm run bench -- convert
 */
import { CONVERTERS, cpuMs, sizeOf, type ConverterCase } from '../test/connectors/convert-cases.js';

const SIZES = [10_000, 100_000, 1_000_000];
const GOAL = 12;

const gc = (globalThis as { gc?: () => void }).gc;

/** Best of a few runs, each after a collection when node runs with --expose-gc, so garbage left by one input does not bill the next. */
function bestMs(c: ConverterCase, input: unknown, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    gc?.();
    best = Math.min(best, cpuMs(() => c.convert(input)));
  }
  return best;
}

function worstShape(c: ConverterCase): string {
  bestMs(c, c.realistic(100_000), 3); // warm-up, so the first shape measured is not billed for compilation
  let worst = '';
  let worstMs = -1;
  for (const [name, make] of Object.entries(c.hostile)) {
    const ms = bestMs(c, make(100_000), 3);
    if (ms > worstMs) [worst, worstMs] = [name, ms];
  }
  return worst;
}

function series(c: ConverterCase, make: (bytes: number) => unknown): { perByte: string[]; ratio: number } {
  const ms = SIZES.map((bytes) => {
    const input = make(bytes);
    return { ms: bestMs(c, input, bytes < 1_000_000 ? 7 : 3), bytes: sizeOf(input) };
  });
  const perByte = ms.map((m) => `${((m.ms * 1e6) / m.bytes).toFixed(0)} ns/B`);
  return { perByte, ratio: (ms[2]?.ms ?? 0) / Math.max(ms[1]?.ms ?? 0, 0.01) };
}

export async function run(print: (line: string) => void): Promise<void> {
  print(`converter / input | 10 KB | 100 KB | 1 MB | t(1 MB)/t(100 KB) (goal ≤ ${GOAL})`);
  for (const c of CONVERTERS) {
    const worst = worstShape(c);
    const hostile = c.hostile[worst];
    for (const [label, make] of [['realistic', c.realistic], [`worst: ${worst}`, hostile]] as const) {
      if (make === undefined) continue;
      const { perByte, ratio } = series(c, make);
      const verdict = ratio <= GOAL ? 'ok' : 'OVER GOAL';
      print(`${c.name} / ${label} | ${perByte.join(' | ')} | ${ratio.toFixed(1)} ${verdict}`);
    }
  }
}
