/**
 * The dashboard's API client: openapi-fetch over the types generated from /openapi.json
 * (src/client/api-types.ts), so no request or response type is written here by hand.
 *
 * API keys: a request answered 401 asks the person for a key once (askForKey, shown by
 * KeyDialog), keeps it in sessionStorage for the browser session and sends the request again
 * with `Authorization: Bearer <key>`. Requests refused at the same time wait for the same answer.
 */
import createClient from 'openapi-fetch';
import type { paths } from '../../src/client/api-types.js';

export type { paths };

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Job = Json<paths['/api/imports/{job_id}']['get']['responses'][200]>;
export type JobStatus = Job['status'];
export type ImportBody = Json<NonNullable<paths['/api/imports']['post']['requestBody']>>;
export type SourceType = ImportBody['source_type'];
export type JobItem = Json<paths['/api/imports/{job_id}/items']['get']['responses'][200]>['items'][number];
export type Sync = Json<paths['/api/syncs/{sync_id}']['get']['responses'][200]>;
export type ErrorEnvelope = Json<paths['/api/imports/{job_id}']['get']['responses'][404]>;

/**
 * The job record does not say whether it was a dry run, so the form's connection checks carry
 * this correlation_id (a field the caller owns) and the lists can tell them from imports.
 */
export const CONNECTION_CHECK = 'dashboard-connection-check';
export const isConnectionCheck = (job: Pick<Job, 'correlation_id'>): boolean => job.correlation_id === CONNECTION_CHECK;

export const TERMINAL: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const isTerminal = (job: Pick<Job, 'status'>): boolean => TERMINAL.includes(job.status);

const KEY_STORAGE = 'integration-service.api-key';

export const storedKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
  notify();
}

/** What KeyDialog shows while a key is wanted: null when nothing waits for one. */
export interface KeyRequest {
  /** true when the key sent was refused (not merely missing) */
  refused: boolean;
  submit(key: string): void;
}

let pending: { request: KeyRequest; answer: Promise<void> } | null = null;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((fn) => fn());

export const currentKeyRequest = (): KeyRequest | null => pending?.request ?? null;

export function onKeyChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function askForKey(refused: boolean): Promise<void> {
  if (pending) return pending.answer;
  let resolve!: () => void;
  const answer = new Promise<void>((r) => (resolve = r));
  pending = {
    answer,
    request: {
      refused,
      submit(key) {
        sessionStorage.setItem(KEY_STORAGE, key.trim());
        pending = null;
        notify();
        resolve();
      },
    },
  };
  notify();
  return answer;
}

async function authFetch(request: Request): Promise<Response> {
  for (;;) {
    const key = storedKey();
    const headers = new Headers(request.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    // A clone each time: the body of a POST can be sent again after the key is given.
    const response = await fetch(new Request(request.clone(), { headers }));
    if (response.status !== 401) return response;
    // Another request may have stored a new key meanwhile: try that one before asking.
    if (storedKey() !== key) continue;
    if (key) sessionStorage.removeItem(KEY_STORAGE);
    await askForKey(key !== null);
  }
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authFetch });

/** A refusal from the service, with its error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly envelope: Partial<ErrorEnvelope>,
  ) {
    super(envelope.error_message ?? `the service answered HTTP ${status}`);
    this.name = 'ApiError';
  }

  get code(): string {
    return this.envelope.error_code ?? `HTTP_${this.status}`;
  }
}

/** The data of an openapi-fetch result, or an ApiError for any error response. */
export function unwrap<D>(result: { data?: D; error?: unknown; response: Response }): D {
  if (result.error !== undefined || !result.response.ok) {
    const body = result.error;
    const envelope = body && typeof body === 'object' ? (body as Partial<ErrorEnvelope>) : {};
    throw new ApiError(result.response.status, envelope);
  }
  return result.data as D;
}

/** One line for a person: the error code and message, or the network failure. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    const details = (err.envelope.details ?? []).map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`);
    return [`${err.code}: ${err.message}`, ...details].join('; ');
  }
  if (err instanceof TypeError) return 'the service cannot be reached';
  return err instanceof Error ? err.message : String(err);
}
