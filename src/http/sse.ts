/**
 * One SSE stream of a job's changes (CONTRACT §6): `event: progress|status`, `data:` the whole
 * job JSON, a heartbeat comment every `heartbeatMs`, closed after a terminal status. Versions
 * older than the last one sent are dropped, so the opening snapshot and a change arriving
 * meanwhile can never go out of order.
 *
 * Bounded: a reader slower than the changes does not queue them. While the socket's buffer is
 * full only the newest version is kept and written on 'drain' (a slow client sees the latest
 * state, not a backlog of whole job records). The terminal event is always written.
 *
 * Never silent: at every heartbeat with no change delivered since the last one, `refresh` re-reads
 * the record, so a change lost with a pub/sub connection (Redis restarting) still arrives, and a
 * job that ended meanwhile closes the stream.
 */
import type { ServerResponse } from 'node:http';
import { TERMINAL_STATUSES, type JobRecord } from '../jobs/types.js';

export type JobEventKind = 'progress' | 'status';

export interface StreamOptions {
  heartbeatMs: number;
  /** The job response serializer, so events read like GET /api/imports/{id}. */
  serialize: (job: JobRecord) => string;
  /** The record as stored now (null when gone); a failure closes the stream so the client reconnects. */
  refresh: () => Promise<JobRecord | null>;
}

export class JobEventStream {
  private lastUpdatedAt: string | null = null;
  private closed = false;
  private delivered = false;
  private pending: { job: JobRecord; kind: JobEventKind } | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: StreamOptions,
  ) {
    res.on('close', () => this.close());
    res.on('drain', () => this.flush());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs at close (client gone or terminal status sent); runs at once when already closed. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanups.push(fn);
  }

  send(job: JobRecord, kind: JobEventKind): void {
    if (this.closed) return;
    if (this.lastUpdatedAt !== null && job.updated_at < this.lastUpdatedAt) return;
    this.lastUpdatedAt = job.updated_at;
    this.delivered = true;
    // Heartbeats start after the first event, so the opening state always comes first.
    this.heartbeat ??= setInterval(() => this.beat(), this.opts.heartbeatMs);
    const terminal = TERMINAL_STATUSES.includes(job.status);
    if (this.res.writableNeedDrain && !terminal) {
      // A status change among the versions skipped is still announced as one.
      this.pending = { job, kind: this.pending?.kind === 'status' ? 'status' : kind };
      return;
    }
    this.pending = null;
    this.res.write(`event: ${kind}\ndata: ${this.opts.serialize(job)}\n\n`);
    if (terminal) this.close();
  }

  /** The state at connection time, unless a newer change already went out. */
  sendSnapshot(job: JobRecord): void {
    if (this.lastUpdatedAt === null) this.send(job, 'status');
  }

  /** A version the stream may have missed (after a pub/sub reconnect): re-read and send if newer. */
  resync(): void {
    this.opts.refresh().then(
      (job) => {
        if (!job) return this.close();
        const kind = this.lastUpdatedAt === null || TERMINAL_STATUSES.includes(job.status) ? 'status' : 'progress';
        if (this.lastUpdatedAt === null || job.updated_at > this.lastUpdatedAt) this.send(job, kind);
      },
      () => this.close(),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const fn of this.cleanups.splice(0)) fn();
    this.res.end();
  }

  private flush(): void {
    const pending = this.pending;
    if (!pending || this.closed) return;
    this.pending = null;
    this.res.write(`event: ${pending.kind}\ndata: ${this.opts.serialize(pending.job)}\n\n`);
  }

  private beat(): void {
    if (!this.res.writableNeedDrain) this.res.write(': heartbeat\n\n');
    if (!this.delivered) this.resync();
    this.delivered = false;
  }
}
