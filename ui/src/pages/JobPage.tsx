/**
 * One import: its progress bar moving live from the job's event stream, the counts, the ETA,
 * the items that failed and why, and a cancel button while it can still be cancelled.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, describe, isConnectionCheck, isTerminal, unwrap, type Job } from '../api.js';
import { FailedItems } from '../components/FailedItems.js';
import { Heading } from '../components/Heading.js';
import { ProgressBar, StatusBadge } from '../components/ProgressBar.js';
import { followJob } from '../events.js';
import { count, duration, sourceLabel, when } from '../format.js';
import { BASE, Link } from '../router.js';

export function JobPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);

  useEffect(() => {
    setJob(null);
    setError(null);
    const ctl = new AbortController();
    // Only ever forward: an answer to the first GET must not undo a newer event.
    const take = (next: Job) => setJob((prev) => (prev && prev.updated_at > next.updated_at ? prev : next));
    api
      .GET('/api/imports/{job_id}', { params: { path: { job_id: jobId } }, signal: ctl.signal })
      .then((r) => take(unwrap(r)))
      .then(() => followJob(jobId, take, ctl.signal))
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(describe(err));
      });
    return () => ctl.abort();
  }, [jobId]);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      const r = await api.DELETE('/api/imports/{job_id}', { params: { path: { job_id: jobId } } });
      setJob(unwrap(r));
    } catch (err) {
      setCancelError(describe(err));
    } finally {
      setCancelling(false);
    }
  };

  if (error) {
    return (
      <section aria-labelledby="page-title">
        <Heading title="Import">Import</Heading>
        <p role="alert" class="error">
          Cannot show this import: {error}
        </p>
        <Link href={`${BASE}/`}>Back to all imports</Link>
      </section>
    );
  }
  if (!job) return <p aria-busy="true">Loading the import…</p>;

  const p = job.progress;
  const terminal = isTerminal(job);
  const eta = p.estimated_time_remaining;
  const took = job.started_at && job.completed_at ? (Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000 : null;
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs">
        <Link href={`${BASE}/`}>All imports</Link>
      </p>
      <div class="page-head">
        <Heading title={`Import ${sourceLabel(job)}`}>Import {sourceLabel(job)}</Heading>
        {!terminal && (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel import'}
          </button>
        )}
      </div>
      {cancelError && (
        <p role="alert" class="error">
          Cannot cancel: {cancelError}
        </p>
      )}
      <p>
        Status: <StatusBadge status={job.status} /> <span class="muted">from {job.source.base_url}</span>
      </p>
      {isConnectionCheck(job) && <p class="muted">A connection check (dry run): it counts the items and stores nothing.</p>}
      <div class="progress-line">
        <ProgressBar job={job} label="Import progress" />
        <output class="pct" aria-live="off">
          {job.status === 'completed' ? 100 : p.percentage}%
        </output>
      </div>
      <p class="eta">
        {terminal
          ? took !== null
            ? `Took ${duration(took)}.`
            : ''
          : eta !== null
            ? `About ${duration(eta)} left.`
            : 'Time left: not known yet.'}
      </p>
      {job.error_message && (
        <p role="alert" class="error">
          {job.error_code}: {job.error_message}
        </p>
      )}
      <dl class="counts">
        <div>
          <dt>Total</dt>
          <dd>{count(p.total_items)}</dd>
        </div>
        <div>
          <dt>Processed</dt>
          <dd>{count(p.processed_items)}</dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd>{count(p.successful_items)}</dd>
        </div>
        <div>
          <dt>Unchanged</dt>
          <dd>{count(p.skipped_items)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{count(p.failed_items)}</dd>
        </div>
        {(p.partial_items ?? 0) > 0 && (
          <div title="stored, but their comments, history or attachments are not all there: GET /api/imports/{id}/items?completeness=partial lists them, each item's completeness says why">
            <dt>Partial</dt>
            <dd>{count(p.partial_items ?? 0)}</dd>
          </div>
        )}
        <div>
          <dt>Batch</dt>
          <dd>
            {p.current_batch}
            {p.total_batches > 0 ? ` of ${p.total_batches}` : ''}
          </dd>
        </div>
      </dl>
      <p class="muted">
        Created {when(job.created_at)} · started {when(job.started_at)} · ended {when(job.completed_at)}
        {job.sync_id ? ' · a sync run' : ''}
      </p>
      {p.failed_items > 0 && <FailedItems jobId={job.job_id} failed={p.failed_items} />}
    </section>
  );
}
