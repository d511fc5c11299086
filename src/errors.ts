/**
 * One table of coded errors: every `error_code` the service can answer or record is a key here,
 * so a misspelt code does not compile. The core throws AppError subclasses; the HTTP layer maps
 * `httpStatus` and `code` to the contract's error envelope, the worker maps `code` to the job's
 * `error_code`. Messages are for humans and must never contain a credential.
 */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 422,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  ITEM_NOT_FOUND: 404,
  PERSON_NOT_FOUND: 404,
  JOB_NOT_CANCELLABLE: 409,
  SYNC_NOT_FOUND: 404,
  SYNC_EXISTS: 409,
  SYNC_RUNNING: 409,
  CURSOR_EXPIRED: 410,
  TOO_MANY_STREAMS: 429,
  TOO_MANY_JOBS: 429,
  IDEMPOTENCY_KEY_REUSED: 422,
  SOURCE_URL_FORBIDDEN: 422,
  SOURCE_AUTH_FAILED: 502,
  SOURCE_NOT_FOUND: 502,
  SOURCE_RATE_LIMITED: 502,
  SOURCE_UNAVAILABLE: 502,
  SOURCE_RESPONSE_INVALID: 502,
  STORE_UNAVAILABLE: 503,
  REDIS_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The job-level error codes of CONTRACT §3. */
export const JOB_ERROR_CODES = [
  'SOURCE_AUTH_FAILED',
  'SOURCE_NOT_FOUND',
  'SOURCE_RATE_LIMITED',
  'SOURCE_UNAVAILABLE',
  'SOURCE_RESPONSE_INVALID',
  'SOURCE_URL_FORBIDDEN',
  'STORE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const satisfies readonly ErrorCode[];
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];

/** Codes an item fails with alone, written at the start of its `error` in the job's item log. */
export const ITEM_ERROR_CODES = ['ITEM_TOO_LARGE'] as const;
export type ItemErrorCode = (typeof ITEM_ERROR_CODES)[number];

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Sent as Retry-After (seconds) with a 429 or 503. */
  readonly retryAfterS: number | null;
  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], retryAfterS: number | null = null) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.retryAfterS = retryAfterS;
  }
  get httpStatus(): number {
    return ERROR_STATUS[this.code];
  }
}

export type SourceErrorCode = Extract<JobErrorCode, `SOURCE_${string}`>;

/** A failure of the source as a whole (the job fails with `code`). */
export class SourceError extends AppError {
  readonly httpStatus_: number | null;
  constructor(code: SourceErrorCode, message: string, sourceHttpStatus: number | null = null) {
    super(code, message);
    this.name = 'SourceError';
    this.httpStatus_ = sourceHttpStatus;
  }
}

/**
 * The source asks to wait longer than a worker should sleep (but within the contract's 15 minutes):
 * the job goes back to the queue until `resumeAt` and resumes from its checkpoint, freeing the slot.
 */
export class SourceWaitError extends SourceError {
  readonly resumeAt: number;
  /** The vendor's name ("GitHub"), for the job's note while it waits. */
  readonly source: string;
  constructor(resumeAt: number, message: string, source: string) {
    super('SOURCE_RATE_LIMITED', message);
    this.name = 'SourceWaitError';
    this.resumeAt = resumeAt;
    this.source = source;
  }
}

/**
 * Why the item store failed: 'outage' = it could not be reached or cannot answer now (retry later);
 * 'refused' = it refused the data sent (the items at fault fail alone); 'fault' = anything else.
 */
export type StoreFailure = 'outage' | 'refused' | 'fault';

export class StoreError extends AppError {
  readonly failure: StoreFailure;
  /** the database's SQLSTATE, when it answered with one */
  readonly sqlstate: string | null;
  constructor(message: string, failure: StoreFailure = 'fault', sqlstate: string | null = null) {
    super('STORE_UNAVAILABLE', message);
    this.name = 'StoreError';
    this.failure = failure;
    this.sqlstate = sqlstate;
  }
}

export function toJobError(err: unknown): { code: JobErrorCode; message: string } {
  if (err instanceof AppError && (JOB_ERROR_CODES as readonly string[]).includes(err.code)) {
    return { code: err.code as JobErrorCode, message: err.message };
  }
  return { code: 'INTERNAL_ERROR', message: 'internal error while running the import' };
}
