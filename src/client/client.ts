/**
 * The typed API client shared by the CLI and the dashboard: openapi-fetch over the types
 * generated from /openapi.json (api-types.ts), so no request or response type is written by hand.
 * Browser-safe: only fetch and web streams.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types.js';

export type { paths } from './api-types.js';
export type ApiClient = Client<paths>;

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Job = Json<paths['/api/imports/{job_id}']['get']['responses'][200]>;
export type JobList = Json<paths['/api/imports']['get']['responses'][200]>;
export type JobListQuery = NonNullable<paths['/api/imports']['get']['parameters']['query']>;
export type ImportRequest = Json<NonNullable<paths['/api/imports']['post']['requestBody']>>;
export type JobItems = Json<paths['/api/imports/{job_id}/items']['get']['responses'][200]>;
export type JobItem = JobItems['items'][number];
export type SourceType = ImportRequest['source_type'];
export type WorkItem = Json<paths['/api/items/{id}']['get']['responses'][200]>;
export type ItemList = Json<paths['/api/items']['get']['responses'][200]>;
export type ItemListQuery = NonNullable<paths['/api/items']['get']['parameters']['query']>;
export type Sync = Json<paths['/api/syncs/{sync_id}']['get']['responses'][200]>;
export type SyncList = Json<paths['/api/syncs']['get']['responses'][200]>;
export type SyncRequest = Json<NonNullable<paths['/api/syncs']['post']['requestBody']>>;
export type ErrorEnvelope = Json<paths['/api/imports/{job_id}']['get']['responses'][404]>;
export type JobStatus = Job['status'];

export const TERMINAL: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const isTerminal = (job: Pick<Job, 'status'>): boolean => TERMINAL.includes(job.status);

export interface ClientOptions {
  /** The service's origin, e.g. http://127.0.0.1:8100 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when given. */
  apiKey?: string | null;
  fetch?: (input: Request) => Promise<Response>;
}

export function createApiClient(opts: ClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {},
    ...(opts.fetch && { fetch: opts.fetch }),
  });
}

/** A refusal from the service, with its error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly envelope: Partial<ErrorEnvelope>,
  ) {
    super(`${envelope.error_code ?? `HTTP ${status}`}: ${envelope.error_message ?? 'request refused'}`);
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
    const envelope = body && typeof body === 'object' ? (body as Partial<ErrorEnvelope>) : { error_message: String(body ?? '') };
    throw new ApiError(result.response.status, envelope);
  }
  return result.data as D;
}
