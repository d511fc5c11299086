/**
 * The dashboard's side of the shared API client (src/client/client.ts, also the CLI's): the
 * client bound to this page's origin, and API keys. A request answered 401 asks the person for a
 * key once (askForKey, shown by KeyDialog), keeps it in sessionStorage for the browser session
 * and sends the request again with `Authorization: Bearer <key>`. Requests refused at the same
 * time wait for the same answer.
 */
import { ApiError, createApiClient, type Job } from '../../src/client/client.js';

export { ApiError, isTerminal, unwrap, type ImportRequest, type Job, type JobItem, type SourceType, type Sync } from '../../src/client/client.js';

/**
 * The job record does not say whether it was a dry run, so the form's connection checks carry
 * this correlation_id (a field the caller owns) and the lists can tell them from imports.
 */
export const CONNECTION_CHECK = 'dashboard-connection-check';
export const isConnectionCheck = (job: Pick<Job, 'correlation_id'>): boolean => job.correlation_id === CONNECTION_CHECK;

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

export const api = createApiClient({ baseUrl: window.location.origin, fetch: authFetch });

/** One line for a person: the error code and message, or the network failure. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    const details = (err.envelope.details ?? []).map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`);
    return [err.message, ...details].join('; ');
  }
  if (err instanceof TypeError) return 'the service cannot be reached';
  return err instanceof Error ? err.message : String(err);
}
