/**
 * Ready-to-paste commands that import from a sandbox source into a running service: the HTTP
 * API call (curl) and the CLI form of CONTRACT §14 (flags are the source_config fields in kebab
 * case; credentials come from the environment, never argv).
 */
import type { SandboxSource } from './source.js';

export interface CommandTarget {
  /** the service, e.g. http://127.0.0.1:8100 */
  server: string;
  /** when the service has API_KEYS on: the environment variable holding a key */
  apiKeyEnv?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8100';

/** POSIX shell single quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const kebab = (field: string) => field.replaceAll('_', '-');

/** The import request body (the fake's credentials are no secret, so the body carries them as is). */
export function importBody(source: SandboxSource): string {
  return JSON.stringify({ source_type: source.type, source_config: source.sourceConfig });
}

export function curlCommand(source: SandboxSource, target: CommandTarget): string {
  const auth = target.apiKeyEnv ? ` -H "Authorization: Bearer $${target.apiKeyEnv}"` : '';
  return `curl -s -X POST ${target.server}/api/imports -H 'content-type: application/json'${auth} -d ${shellQuote(importBody(source))}`;
}

/** `NAME=secret integration-service import <type> --base-url … --<secret>-env NAME --wait` */
export function cliCommand(source: SandboxSource, target: CommandTarget): string {
  const env: string[] = [];
  const flags: string[] = [];
  for (const [field, value] of Object.entries(source.sourceConfig)) {
    const envName = source.secretEnv[field];
    if (envName) {
      env.push(`${envName}=${shellQuote(String(value))}`);
      flags.push(`--${kebab(field)}-env ${envName}`);
    } else {
      flags.push(`--${kebab(field)} ${shellQuote(String(value))}`);
    }
  }
  if (target.server !== DEFAULT_SERVER) flags.push(`--server ${target.server}`);
  if (target.apiKeyEnv) flags.push(`--api-key-env ${target.apiKeyEnv}`);
  return [...env, 'integration-service', 'import', source.type, ...flags, '--wait'].join(' ');
}
