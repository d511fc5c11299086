/** Small text formatting shared by the commands: durations, rates, counts, tables. */
import type { Job } from '../client/client.js';

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function rate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return '–';
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** `octo-org/hello-world on api.github.com` */
export function describeSource(job: Pick<Job, 'source_type' | 'source'>): string {
  let host = job.source.base_url;
  try {
    host = new URL(job.source.base_url).host;
  } catch {
    // keep the text as given
  }
  return `${job.source_type} ${job.source.scope} (${host})`;
}

/** Seconds the job ran (so far): started (or created) to completed (or now). */
export function elapsedSeconds(job: Job, now = Date.now()): number {
  const start = Date.parse(job.started_at ?? job.created_at);
  const end = job.completed_at ? Date.parse(job.completed_at) : now;
  return Math.max(0, (end - start) / 1000);
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
