/**
 * The progress note of one run: while a job is processing, its record's `error_message` says what it
 * is waiting for ("retrying 2/6: cannot resolve api.github.com (next try in 4 s)", "waiting for GitHub
 * rate limit until …"), so a person watching (GET or SSE) sees why it does not move. Written through the
 * owner-checked save (never onto an ended job) at most once per `intervalMs`, the latest text winning;
 * the next stored batch or status change clears it (record.ts).
 */
import type { Logger } from 'pino';
import type { RetryNotice } from '../outbound/types.js';
import type { JobRecords } from './record.js';

export class RunNote {
  private lastWriteAt = -Infinity;
  private pending: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly records: Pick<JobRecords, 'note'>,
    private readonly jobId: string,
    private readonly owner: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Shows `text` now, or as soon as the interval allows (a newer text replaces one not yet written). */
  show(text: string): void {
    if (this.stopped) return;
    this.pending = text;
    const wait = this.lastWriteAt + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Written at once, whatever the interval: the run is about to hand the job back and will write nothing more. */
  async final(text: string): Promise<void> {
    this.drop();
    this.stopped = true;
    await this.write(text);
  }

  /** A batch is being stored (which clears the note on the record): what waits here is out of date. */
  drop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
  }

  /** The run ended: nothing more is written. */
  stop(): void {
    this.drop();
    this.stopped = true;
  }

  private flush(): void {
    const text = this.pending;
    if (text === null) return;
    this.pending = null;
    this.lastWriteAt = Date.now();
    void this.write(text);
  }

  private async write(text: string): Promise<void> {
    // A note is a courtesy: Redis failing here is met (and handled) by the run's next real save.
    await this.records.note(this.jobId, this.owner, text).catch((err: unknown) => {
      this.log.debug({ error: err instanceof Error ? err.message : String(err) }, 'progress note not written');
    });
  }
}

/** "2024-05-01T10:00:05Z": to the second, which is all a wait needs. */
const clock = (epochMs: number) => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The note for a retry the source layer announced (its summary already redacted by the caller). */
export function retryNote(r: RetryNotice, summary: string, now = Date.now()): string {
  const next = `${r.attempt + 1}/${r.attempts}`;
  if (r.why === 'rate_limited') {
    return r.wait_ms === null ? `waiting for ${r.source} rate limit (try ${next})` : `waiting for ${r.source} rate limit until ${clock(now + r.wait_ms)} (try ${next})`;
  }
  const wait = r.wait_ms === null ? '' : ` (next try in ${Math.max(1, Math.ceil(r.wait_ms / 1000))} s)`;
  return `retrying ${next}: ${summary}${wait}`;
}

/** The note of a job handed back until the source's rate limit lets it go on. */
export const rateLimitNote = (source: string, until: number) => `waiting for ${source} rate limit until ${clock(until)}`;

/** The note of a job handed back while the item store is unreachable. */
export const storeOutageNote = (reason: string, until: number) => `waiting for the item store until ${clock(until)}: ${reason}`;
