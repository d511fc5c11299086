/** The global options every client command shares: where the service is and which API key to send. */
import { createApiClient, type ApiClient } from '../client/client.js';
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
  return { server, client: createApiClient({ baseUrl: server, apiKey, fetch: fetchOrExplain }) };
}
