/** Schema pieces shared by every route: nullable scalars, the error envelope, id params. */
import { Type, type Static, type TSchema } from 'typebox';
import { ERROR_STATUS } from '../../errors.js';

type Scalar = 'string' | 'number' | 'integer' | 'boolean';
type ScalarType<K extends Scalar> = K extends 'string' ? string : K extends 'boolean' ? boolean : number;

/**
 * `{type: [T, "null"]}` rather than anyOf: fast-json-stringify serializes it without a runtime
 * schema match, and it is plain JSON Schema (OpenAPI 3.1).
 */
export function Nullable<K extends Scalar>(type: K, options: Record<string, unknown> = {}) {
  return Type.Unsafe<ScalarType<K> | null>({ ...options, type: [type, 'null'] });
}

/** `{type: "string", enum: [...]}`: one readable "must be one of" error instead of anyOf noise. */
export function StringEnum<const V extends readonly string[]>(values: V, options: Record<string, unknown> = {}) {
  return Type.Unsafe<V[number]>({ ...options, type: 'string', enum: [...values] });
}

export function NullableOf<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export const ErrorDetail = Type.Object(
  { path: Type.String(), message: Type.String() },
  { additionalProperties: false },
);

export const ErrorEnvelope = Type.Object(
  {
    error_code: Type.String({ enum: Object.keys(ERROR_STATUS), examples: ['JOB_NOT_FOUND'] }),
    error_message: Type.String(),
    details: Type.Array(ErrorDetail),
    request_id: Type.String(),
  },
  { additionalProperties: false, title: 'Error', description: 'Every error response has this shape' },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

const ERROR_MEANINGS: Record<number, string> = {
  400: 'MALFORMED_JSON: the body is not valid JSON',
  401: 'UNAUTHORIZED: missing or unknown API key',
  403: 'FORBIDDEN: the API key may not act for that tenant',
  404: 'not found (also for another tenant\'s resource and for a malformed id)',
  409: 'JOB_NOT_CANCELLABLE: the job has already ended; SYNC_EXISTS: the scope has a sync already; SYNC_RUNNING: a run of the sync is still pending or processing',
  413: 'PAYLOAD_TOO_LARGE: the body is over 1 MiB',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json',
  422: 'VALIDATION_ERROR (details name each problem), SOURCE_URL_FORBIDDEN or IDEMPOTENCY_KEY_REUSED',
  429: 'TOO_MANY_JOBS (TENANT_MAX_QUEUED pending jobs) or TOO_MANY_STREAMS (open event streams): retry after Retry-After seconds',
  503: 'REDIS_UNAVAILABLE or STORE_UNAVAILABLE: a dependency is down; try again',
};

/** Response entries for the given error statuses: the envelope, described per status in OpenAPI. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, Type.Object(ErrorEnvelope.properties, { additionalProperties: false, description: ERROR_MEANINGS[s] })]),
  ) as Record<number, typeof ErrorEnvelope>;
}

export const JobIdParams = Type.Object(
  { job_id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const ItemIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'next_cursor of the previous page' });

/** Page sizes of CONTRACT §2/§6: max and default per list. */
export const LIMITS = { jobs: { max: 500, def: 50 }, items: { max: 1000, def: 100 } } as const;

/** An optional limit query parameter: integer in [1, max]; validation fills in `def`. */
export function Limit(max: number, def: number) {
  return Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: def }));
}

/** Documented on every /api route (the key is required only when API_KEYS is set). */
export const bearerSecurity = [{ bearer: [] as string[] }];
