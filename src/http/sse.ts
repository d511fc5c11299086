/**
 * One SSE stream of a job's changes (CONTRACT §6): `event: progress|status`, `data:` the whole
 * job JSON, a heartbeat comment every `heartbeatMs`, closed after a terminal status. Versions
 * older than the last one sent are dropped, so the opening snapshot and a change arriving
 * meanwhile can never go out of order.
 */
import type { ServerResponse } from 'node:http';
import { TERMINAL_STATUSES, type JobRecord } from '../jobs/types.js';

export type JobEventKind = 'progress' | 'status';

export class JobEventStream {
  private lastUpdatedAt: string | null = null;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    heartbeatMs: number,
    /** The job response serializer, so events read like GET /api/imports/{id}. */
    private readonly serialize: (job: JobRecord) => string,
  ) {
    this.heartbeat = setInterval(() => this.res.write(': heartbeat\n\n'), heartbeatMs);
    res.on('close', () => this.close());
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
    this.res.write(`event: ${kind}\ndata: ${this.serialize(job)}\n\n`);
    if (TERMINAL_STATUSES.includes(job.status)) this.close();
  }

  /** The state at connection time, unless a newer change already went out. */
  sendSnapshot(job: JobRecord): void {
    if (this.lastUpdatedAt === null) this.send(job, 'status');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const fn of this.cleanups.splice(0)) fn();
    this.res.end();
  }
}
