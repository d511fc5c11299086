/**
 * A list kept fresh by asking again every few seconds while the tab is visible (and at once when
 * it becomes visible again). One request at a time; the latest answer or error wins.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describe } from './api.js';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** ask now, e.g. after an action changed the list */
  refresh(): void;
}

export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const busy = useRef(false);
  const alive = useRef<AbortController | null>(null);

  const refresh = useCallback(() => {
    const ctl = alive.current;
    if (!ctl || busy.current || document.hidden) return;
    busy.current = true;
    loadRef.current(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(null);
      },
      (err: unknown) => {
        if (!ctl.signal.aborted) setError(describe(err));
      },
    ).finally(() => (busy.current = false));
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    alive.current = ctl;
    refresh();
    const timer = setInterval(refresh, everyMs);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      ctl.abort();
      alive.current = null;
      busy.current = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [everyMs, refresh]);

  return { data, error, refresh };
}
