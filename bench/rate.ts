/** The achieved request rate of the rate-limit benches, measured the same way for every source. */

/**
 * Accepted requests per 1 s window, bucketed by the time the fake's budget counted them (when it
 * answered). Every window from the first to the one before the last counts, empty ones included (a
 * pause is part of the achieved rate); the last is cut short by the end of the data.
 */
export function steadyRate(times: number[]): { steady: number; windows: number } {
  const perWindow = new Map<number, number>();
  for (const t of times) perWindow.set(Math.floor(t / 1000), (perWindow.get(Math.floor(t / 1000)) ?? 0) + 1);
  const first = Math.min(...perWindow.keys());
  const windows = Math.max(...perWindow.keys()) - first;
  let sum = 0;
  for (let w = first; w < first + windows; w++) sum += perWindow.get(w) ?? 0;
  return { steady: sum / Math.max(1, windows), windows };
}
