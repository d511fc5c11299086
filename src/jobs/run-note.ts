/**
 * The progress note of one run: while a job is processing, its record's `error_message` says what it
 * is waiting for ("retrying 2/6: cannot resolve api.github.com (next try in 4 s)", "waiting for GitHub
 * rate limit until …"), so a person watching (GET or SSE) sees why it does not move. Written through the
 * owner-checked save (never onto an ended job) at most once per `intervalMs`, the latest text winning.
 * A note is in force until the wait it tells of ends: a batch stored meanwhile (pages are fetched ahead
 * of the one being stored) keeps it, the first one after clears it, and so does every status change.
 */
import type { Logger } from 'pino';
import type { RetryNotice } from '../outbound/types.js';
import type { JobRecords } from './record.js';

interface Note {
  text: string;
  /** epoch ms when what it tells of is over */
  until: number;
}

export class RunNote {
  private lastWriteAt = -Infinity;
  private latest: Note | null = null;
  private unwritten = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly records: Pick<JobRecords, 'note'>,
    private readonly jobId: string,
    private readonly owner: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Shows `text` (in force until `until`) now, or as soon as the interval allows; a newer note replaces one not yet written. */
  show(text: string, until: number): void {
    if (this.stopped) return;
    this.latest = { text, until };
    this.unwritten = true;
    const wait = this.lastWriteAt + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /**
   * A batch is being stored: the note it should carry (null once the wait is over). The save writes it,
   * so nothing waits to be written after it.
   */
  forSave(): string | null {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unwritten = false;
    this.lastWriteAt = Date.now();
    const live = this.latest !== null && Date.now() < this.latest.until ? this.latest : null;
    this.latest = live;
    return live?.text ?? null;
  }

  /** Written at once, whatever the interval: the run is about to hand the job back and will write nothing more. */
  async final(text: string): Promise<void> {
    this.stop();
    await this.write(text);
  }

  /** The run ended: nothing more is written. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  private flush(): void {
    if (!this.unwritten || this.latest === null) return;
    this.unwritten = false;
    this.lastWriteAt = Date.now();
    void this.write(this.latest.text);
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

/** The note of a job waiting (in place or handed back) until the source's rate limit lets it go on. */
export const rateLimitNote = (source: string, until: number) => `waiting for ${source} rate limit until ${clock(until)}`;

/** The note of a job handed back while the item store is unreachable. */
export const storeOutageNote = (reason: string, until: number) => `waiting for the item store until ${clock(until)}: ${reason}`;
