/** What the demo prints: a progress line per change, and the summary table at the end. */
import type { JobRecord } from '../jobs/types.js';

export interface DemoRow {
  source: string;
  job: JobRecord | null;
  /** the job's failed items: key and reason */
  failures: { key: string; error: string }[];
  /** requests the vendor served, and how many it refused for its rate limit */
  traffic: { requests: number; limited: number };
  /** why no job exists (the create was refused) */
  problem?: string;
}

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

export function durationOf(job: JobRecord): number | null {
  if (!job.completed_at) return null;
  return Date.parse(job.completed_at) - Date.parse(job.started_at ?? job.created_at);
}

export function progressLine(elapsedMs: number, source: string, job: JobRecord): string {
  const p = job.progress;
  const counts = p.total_items > 0 ? `${p.processed_items}/${p.total_items} (${p.percentage}%)` : p.processed_items > 0 ? `${p.processed_items} items` : 'starting';
  const note = job.error_message && job.status !== 'completed' ? `  ${job.error_message}` : '';
  return `${lpad((elapsedMs / 1000).toFixed(1), 6)}s  ${pad(source, 11)} ${pad(job.status, 11)} ${pad(counts, 18)} failed ${p.failed_items}${note}`;
}

export function summaryTable(rows: DemoRow[]): string {
  const lines = [`${pad('source', 11)} ${pad('status', 11)} ${lpad('items', 6)} ${lpad('failed', 6)} ${lpad('requests', 8)} ${lpad('limited', 7)} ${lpad('duration', 9)}`];
  for (const r of rows) {
    const job = r.job;
    const ms = job ? durationOf(job) : null;
    lines.push([
      pad(r.source, 11), pad(job?.status ?? 'not started', 11), lpad(String(job?.progress.processed_items ?? '-'), 6),
      lpad(String(job?.progress.failed_items ?? '-'), 6), lpad(String(r.traffic.requests), 8), lpad(String(r.traffic.limited), 7),
      lpad(ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`, 9),
    ].join(' '));
  }
  return lines.join('\n');
}

/** Why each job did not complete, and which items failed and why. */
export function details(rows: DemoRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.problem) out.push(`${r.source}: ${r.problem}`);
    if (r.job && r.job.status !== 'completed') out.push(`${r.source}: ${r.job.status}: ${r.job.error_code ?? ''} ${r.job.error_message ?? ''}`.trimEnd());
    for (const f of r.failures) out.push(`${r.source} ${f.key}: ${f.error}`);
  }
  return out;
}
