/** A request the service refused, as the user's terms: a 400/422 about flags is a usage error naming them. */
import { ApiError } from '../client/client.js';
import { UsageError } from './errors.js';
import { flagForPath } from './source-flags.js';

export function explainRefusal(err: unknown, what: string, secretFields: readonly string[], usage: string): unknown {
  if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) return err;
  const details = (err.envelope.details ?? []) as { path?: string; message?: string }[];
  const lines = details.map((d) => {
    const path = (d.path ?? '').replaceAll('.', '/');
    return `  ${flagForPath(path, secretFields) ?? (path || 'body')}: ${d.message ?? 'is invalid'}`;
  });
  return new UsageError([`the service refused ${what}: ${err.message}`, ...lines].join('\n'), usage);
}
