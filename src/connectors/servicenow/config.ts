/**
 * ServiceNow source_config (CONTRACT §5): base_url (instance URL), username + password
 * (Basic) or access_token (OAuth Bearer), table [incident], query (encoded query, optional).
 * Table names are ServiceNow identifiers (lower-case letters, digits, `_`; custom `u_…`,
 * scoped `x_vendor_app_…`), which also keeps them from smuggling a path segment into the URL.
 */
import { Type, type Static } from 'typebox';
import type { SourceDescription } from '../connector.js';

export const DEFAULT_TABLE = 'incident';

export const serviceNowConfigSchema = Type.Object(
  {
    base_url: Type.String({ pattern: '^https?://', description: 'Instance URL, e.g. https://acme.service-now.com' }),
    username: Type.Optional(Type.String({ minLength: 1, description: 'Basic auth user (with password)' })),
    password: Type.Optional(Type.String({ minLength: 1, description: 'Basic auth password (with username)' })),
    access_token: Type.Optional(Type.String({ minLength: 1, description: 'OAuth access token, sent as Bearer' })),
    table: Type.Optional(
      Type.String({ pattern: '^[a-z][a-z0-9_]{0,79}$', default: DEFAULT_TABLE, description: 'Table to import [incident]' }),
    ),
    query: Type.Optional(
      Type.String({ maxLength: 4000, description: 'Encoded query narrowing the records, e.g. active=true^priority<=2' }),
    ),
  },
  { additionalProperties: false },
);

export type ServiceNowConfig = Static<typeof serviceNowConfigSchema>;

/** Cross-field rule: exactly one way to authenticate. */
export function validateServiceNowConfig(config: ServiceNowConfig): { path: string; message: string }[] {
  const basic = config.username !== undefined || config.password !== undefined;
  if (config.access_token !== undefined && basic) {
    return [{ path: '/access_token', message: 'give either username + password or access_token, not both' }];
  }
  if (config.access_token !== undefined) return [];
  if (config.username === undefined) return [{ path: '/username', message: 'username + password or access_token is required' }];
  if (config.password === undefined) return [{ path: '/password', message: 'password is required with username' }];
  return [];
}

export function tableOf(config: ServiceNowConfig): string {
  return config.table ?? DEFAULT_TABLE;
}

/** The query as scope text: trimmed, empty = none. */
export function queryOf(config: ServiceNowConfig): string {
  return (config.query ?? '').trim();
}

/**
 * scope = `table` or `table^query` (a table name never contains `^`, so the first `^`
 * separates them unambiguously and the whole reads as "this query on this table").
 */
export function describeServiceNow(config: ServiceNowConfig): SourceDescription {
  const table = tableOf(config);
  const query = queryOf(config);
  return {
    base_url: config.base_url.replace(/\/+$/, ''),
    scope: query ? `${table}^${query}` : table,
    project: table,
  };
}
