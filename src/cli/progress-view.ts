/**
 * How a followed job looks while it runs. On a terminal: a bar redrawn in place (cli-progress)
 * with the percentage, items done/total, rate and ETA. Otherwise (a pipe, a CI log): plain lines
 * without escape codes, one per status change and at most one progress line per `plainLineMs`.
 */
import cliProgress from 'cli-progress';
import type { Job } from '../client/client.js';
import { duration, rate } from './format.js';
import { RateMeter } from './rate-meter.js';

export interface ProgressView {
  update(job: Job): void;
  /** Leaves the terminal as it was (cursor shown, bar line ended). */
  stop(): void;
}

interface Figures {
  status: string;
  pct: string;
  done: number;
  total: string;
  rate: string;
  eta: string;
}

function figures(job: Job, meter: RateMeter): Figures {
  const p = job.progress;
  meter.add(p.processed_items);
  const perSecond = meter.perSecond();
  const remaining = p.total_items - p.processed_items;
  const eta =
    job.status === 'completed' ? 0
    : p.estimated_time_remaining ?? (perSecond && perSecond > 0 && p.total_items > 0 ? remaining / perSecond : null);
  return {
    status: job.status,
    pct: p.percentage.toFixed(1),
    done: p.processed_items,
    // 0 with nothing processed means "not counted yet", not an empty scope.
    total: p.total_items > 0 || job.status === 'completed' ? String(p.total_items) : '?',
    rate: rate(perSecond),
    eta: duration(eta),
  };
}

export function createView(stream: NodeJS.WriteStream, plainLineMs: number): ProgressView {
  return stream.isTTY ? new BarView(stream) : new PlainView(stream, plainLineMs);
}

class BarView implements ProgressView {
  private readonly meter = new RateMeter();
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        // Not cli-progress's own {total}/{eta}: those would count the bar's scale, not items.
        format: '{status} [{bar}] {pct}% | {done}/{all} items | {speed} items/s | ETA {left}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(job: Job): void {
    const f = figures(job, this.meter);
    const payload = { status: f.status.padEnd(10), pct: f.pct, done: f.done, all: f.total, speed: f.rate, left: f.eta };
    // The bar's fill follows the service's percentage, which never goes down.
    const fill = Math.round(job.progress.percentage * 10);
    if (!this.started) {
      this.started = true;
      this.bar.start(1000, fill, payload);
    } else {
      this.bar.update(fill, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

class PlainView implements ProgressView {
  private readonly meter = new RateMeter();
  private lastStatus: string | null = null;
  private lastLineAt = 0;
  private lastDone = -1;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly intervalMs: number,
  ) {}

  update(job: Job): void {
    const f = figures(job, this.meter);
    const now = Date.now();
    const statusChanged = job.status !== this.lastStatus;
    if (!statusChanged && (now - this.lastLineAt < this.intervalMs || f.done === this.lastDone)) return;
    this.lastStatus = job.status;
    this.lastLineAt = now;
    this.lastDone = f.done;
    this.stream.write(`${f.status} ${f.done}/${f.total} items (${f.pct}%), ${f.rate} items/s, ETA ${f.eta}\n`);
  }

  stop(): void {}
}
