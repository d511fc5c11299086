/**
 * Exit codes (CONTRACT §14) and the errors that end a command. 3 covers everything that kept the
 * command from running or from learning how the job ended: bad usage, an unreachable service,
 * a request the service refused.
 */
export const EXIT = {
  completed: 0,
  failed: 1,
  cancelled: 2,
  usage: 3,
  /** Ctrl-C while following a job: the job goes on; 128 + SIGINT as shells expect. */
  interrupted: 130,
} as const;

/** Bad arguments: the message, then the command's usage line. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The service could not be reached at all. */
export class ConnectionError extends Error {
  constructor(server: string, reason: string) {
    super(`cannot reach the service at ${server}: ${reason}`);
    this.name = 'ConnectionError';
  }
}

/** Why a fetch failed, as one line (undici hides the socket error in `cause`). */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const inner = cause instanceof AggregateError && cause.errors.length > 0 ? cause.errors[0] : cause;
  const e = inner as NodeJS.ErrnoException;
  return e.message || e.code || String(inner);
}
