/**
 * The items of a job that failed, with the reason for each (GET /api/imports/{id}/items?action=failed),
 * read when the list is opened and again when more fail while it is open.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, describe, unwrap, type JobItem } from '../api.js';

const PAGE = 50;

export function FailedItems({ jobId, failed }: { jobId: string; failed: number }) {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<JobItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async (cursor: string | null, signal?: AbortSignal) => {
    const query = { action: 'failed' as const, limit: PAGE, ...(cursor ? { cursor } : {}) };
    const page = unwrap(await api.GET('/api/imports/{job_id}/items', { params: { path: { job_id: jobId }, query }, signal }));
    setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
    setNext(page.next_cursor);
    setError(null);
  };

  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    load(null, ctl.signal).catch((err: unknown) => !ctl.signal.aborted && setError(describe(err)));
    return () => ctl.abort();
  }, [open, failed, jobId]);

  return (
    <details class="failed" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Failed items ({failed})</summary>
      {error && (
        <p role="alert" class="error">
          Cannot list the failed items: {error}
        </p>
      )}
      {items.length > 0 && (
        <table>
          <caption class="sr-only">Items that failed and why</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.external_id}>
                <th scope="row">
                  {item.key ?? item.external_id}
                  {item.key && <span class="muted"> (id {item.external_id})</span>}
                </th>
                <td class="reason">{item.error ?? 'no reason recorded'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={() => load(next).catch((err: unknown) => setError(describe(err)))}>
          Load more failed items
        </button>
      )}
    </details>
  );
}
