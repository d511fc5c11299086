/** The job's progress as an ARIA progressbar: aria-valuenow is the job's percentage (0–100). */
import type { Job } from '../api.js';
import { count } from '../format.js';

export function ProgressBar({ job, label }: { job: Job; label: string }) {
  const pct = job.status === 'completed' ? 100 : Math.min(100, Math.max(0, job.progress.percentage));
  const { processed_items: done, total_items: total } = job.progress;
  const text = total > 0 ? `${pct}% (${count(done)} of ${count(total)} items)` : `${pct}% (${count(done)} items, total not known yet)`;
  return (
    <div
      class={`bar bar-${job.status}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={text}
    >
      <div class="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}
