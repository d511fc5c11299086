/** Syncs (saved imports on a schedule): pause, resume, run now. "Run now" opens the run's job. */
import { useState } from 'preact/hooks';
import { ApiError, api, describe, unwrap, type Sync } from '../api.js';
import { Heading } from '../components/Heading.js';
import { StatusBadge } from '../components/ProgressBar.js';
import { duration, sourceLabel, when } from '../format.js';
import { usePoll } from '../poll.js';
import { BASE, Link, navigate } from '../router.js';

const POLL_MS = 5_000;

export function SyncsPage() {
  const syncs = usePoll(async (signal): Promise<Sync[] | 'disabled'> => {
    try {
      return unwrap(await api.GET('/api/syncs', { params: { query: { limit: 100 } }, signal })).syncs;
    } catch (err) {
      // An API process started without the sync service has no /api/syncs.
      if (err instanceof ApiError && err.status === 404) return 'disabled';
      throw err;
    }
  }, POLL_MS);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const act = async (sync: Sync, what: 'pause' | 'resume' | 'run') => {
    setBusy(sync.sync_id);
    setMessage(null);
    const path = { sync_id: sync.sync_id };
    try {
      if (what === 'run') {
        const job = unwrap(await api.POST('/api/syncs/{sync_id}/run', { params: { path } }));
        navigate(`${BASE}/jobs/${job.job_id}`);
        return;
      }
      const status = what === 'pause' ? 'paused' : 'active';
      unwrap(await api.PATCH('/api/syncs/{sync_id}', { params: { path }, body: { status } }));
      syncs.refresh();
    } catch (err) {
      setMessage(`Sync ${sourceLabel(sync)}: ${describe(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const list = Array.isArray(syncs.data) ? syncs.data : [];
  return (
    <section aria-labelledby="page-title">
      <Heading title="Syncs">Syncs</Heading>
      <p class="muted">Saved imports that run on a schedule. Create one with POST /api/syncs or the CLI.</p>
      {syncs.error && (
        <p role="alert" class="error">
          Cannot list syncs: {syncs.error}
        </p>
      )}
      {message && (
        <p role="alert" class="error">
          {message}
        </p>
      )}
      {syncs.data === null && !syncs.error && <p aria-busy="true">Loading…</p>}
      {syncs.data === 'disabled' && <p>This service runs without syncs.</p>}
      {Array.isArray(syncs.data) && list.length === 0 && <p>No syncs yet.</p>}
      {list.length > 0 && (
        <table class="syncs">
          <caption class="sr-only">Syncs</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col">Every</th>
              <th scope="col">Last run</th>
              <th scope="col">Next run</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((sync) => {
              const name = sourceLabel(sync);
              const paused = sync.status === 'paused';
              return (
                <tr key={sync.sync_id} data-sync-id={sync.sync_id}>
                  <th scope="row">{name}</th>
                  <td>
                    <StatusBadge status={sync.status} />
                  </td>
                  <td>{duration(sync.schedule.every_seconds)}</td>
                  <td>
                    {sync.last_job_id ? (
                      <Link href={`${BASE}/jobs/${sync.last_job_id}`} aria-label={`Last run of sync ${name}: ${sync.last_status ?? 'unknown'}`}>
                        {sync.last_status ?? 'run'} · {when(sync.last_run_at)}
                      </Link>
                    ) : (
                      'never'
                    )}
                    {sync.consecutive_failures > 0 && <span class="error"> ({sync.consecutive_failures} failed in a row)</span>}
                  </td>
                  <td>{paused ? 'paused' : when(sync.next_run_at)}</td>
                  <td>
                    <div class="actions">
                    <button
                      type="button"
                      aria-label={`${paused ? 'Resume' : 'Pause'} sync ${name}`}
                      disabled={busy === sync.sync_id}
                      onClick={() => act(sync, paused ? 'resume' : 'pause')}
                    >
                      {paused ? 'Resume' : 'Pause'}
                    </button>
                    <button
                      type="button"
                      aria-label={`Run sync ${name} now`}
                      disabled={busy === sync.sync_id}
                      onClick={() => act(sync, 'run')}
                    >
                      Run now
                    </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
