/** The global options every client command shares: where the service is and which API key to send. */
import { ApiError, createApiClient, type ApiClient } from '../client/client.js';
import { ConnectionError, UsageError, networkReason } from './errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8100';
/** Read when --api-key-env is not given; unset = no key (a service without API_KEYS). */
export const DEFAULT_API_KEY_ENV = 'INTEGRATION_SERVICE_API_KEY';

export interface GlobalOptions {
  server: string;
  apiKeyEnv?: string;
}

export interface Context {
  server: string;
  client: ApiClient;
  /**
   * An untyped JSON request, for routes this build's generated types do not describe yet
   * (the syncs API: see commands/syncs.ts). Errors as for the typed client.
   */
  request(method: string, path: string, body?: unknown): Promise<unknown>;
}

export function contextFrom(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Context {
  const server = opts.server.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be an http(s) URL such as ${DEFAULT_SERVER}, not "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http(s) URL such as ${DEFAULT_SERVER}`);
  let apiKey: string | null = null;
  if (opts.apiKeyEnv !== undefined) {
    apiKey = env[opts.apiKeyEnv] ?? null;
    if (!apiKey) throw new UsageError(`--api-key-env ${opts.apiKeyEnv}: that environment variable is not set`);
  } else {
    apiKey = env[DEFAULT_API_KEY_ENV] || null;
  }
  // A connection failure says which server it tried, never the key.
  const fetchOrExplain = async (request: Request): Promise<Response> => {
    try {
      return await fetch(request);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ConnectionError(server, networkReason(err));
    }
  };
  const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchOrExplain(new Request(server + path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) }));
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { error_message: text.slice(0, 200) };
    }
    if (!res.ok) throw new ApiError(res.status, (data ?? {}) as ConstructorParameters<typeof ApiError>[1]);
    return data;
  };
  return { server, client: createApiClient({ baseUrl: server, apiKey, fetch: fetchOrExplain }), request };
}
