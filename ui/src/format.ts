/** How numbers and times read on the dashboard. */

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function count(n: number): string {
  return n.toLocaleString();
}

/** The scope a job or sync reads: project key, table, owner/repo or project path. */
export function sourceLabel(x: { source_type: string; source: { scope: string } }): string {
  return `${x.source_type} ${x.source.scope}`;
}
