/** Import jobs, newest first, with their status and progress kept live by polling. */
import { api, isConnectionCheck, unwrap } from '../api.js';
import { Heading } from '../components/Heading.js';
import { ProgressBar, StatusBadge } from '../components/ProgressBar.js';
import { sourceLabel, when } from '../format.js';
import { usePoll } from '../poll.js';
import { BASE, Link } from '../router.js';

const LIMIT = 50;
const POLL_MS = 2_000;

export function JobsPage() {
  const jobs = usePoll(
    async (signal) => unwrap(await api.GET('/api/imports', { params: { query: { limit: LIMIT } }, signal })),
    POLL_MS,
  );
  const list = jobs.data?.jobs ?? [];
  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <Heading title="Imports">Imports</Heading>
        <Link class="button" href={`${BASE}/new`}>
          New import
        </Link>
      </div>
      {jobs.error && <p role="alert" class="error">Cannot list imports: {jobs.error}</p>}
      {jobs.data && list.length === 0 && <p>No imports yet. Start one with “New import”.</p>}
      {list.length > 0 && (
        <table class="jobs">
          <caption class="sr-only">Import jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Failed</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.map((job) => (
              <tr key={job.job_id} data-job-id={job.job_id}>
                <td>
                  <Link href={`${BASE}/jobs/${job.job_id}`} aria-label={`Import ${sourceLabel(job)}, created ${when(job.created_at)}`}>
                    {sourceLabel(job)}
                  </Link>
                  {job.sync_id && <span class="tag">sync</span>}
                  {isConnectionCheck(job) && <span class="tag">connection check</span>}
                </td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td>
                  <div class="progress-cell">
                    <ProgressBar job={job} label={`Progress of import ${sourceLabel(job)}`} />
                    <span class="pct">{job.status === 'completed' ? 100 : job.progress.percentage}%</span>
                  </div>
                </td>
                <td>{job.progress.failed_items}</td>
                <td>
                  <time dateTime={job.created_at}>{when(job.created_at)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {jobs.data && jobs.data.total > list.length && (
        <p class="muted">
          Showing the newest {list.length} of {jobs.data.total}.
        </p>
      )}
    </section>
  );
}
