/**
 * GitHub source_config (CONTRACT §5): schema, defaults and the job's source description.
 * Name rules follow GitHub's own: owners are 1-39 letters, digits or hyphens (underscores
 * appear in Enterprise Managed User logins), repositories 1-100 of letters, digits, `.`, `-`, `_`
 * but never `.` or `..` alone — so neither can smuggle a path segment into a request URL.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../../errors.js';
import type { SourceDescription } from '../connector.js';

const GITHUB_DEFAULT_BASE_URL = 'https://api.github.com';

export const githubConfigSchema = Type.Object(
  {
    base_url: Type.Optional(
      Type.String({
        default: GITHUB_DEFAULT_BASE_URL,
        pattern: '^https?://',
        description: 'https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server',
      }),
    ),
    token: Type.Optional(Type.String({ minLength: 1, description: 'Optional for public repositories; sent as Bearer' })),
    owner: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$' }),
    repo: Type.String({ pattern: '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$' }),
    state: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')], { default: 'all' }),
    ),
    include_pull_requests: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export type GithubSourceConfig = Static<typeof githubConfigSchema>;

/** The config with defaults applied and base_url without trailing slashes. */
export interface GithubConfig {
  baseUrl: string;
  token: string | null;
  owner: string;
  repo: string;
  state: 'open' | 'closed' | 'all';
  includePullRequests: boolean;
}

export function resolveGithubConfig(input: Record<string, unknown>): GithubConfig {
  const withDefaults = Value.Default(githubConfigSchema, Value.Clone(input));
  if (!Value.Check(githubConfigSchema, withDefaults)) {
    const details = [...Value.Errors(githubConfigSchema, withDefaults)].map((e) => ({
      path: `source_config${e.instancePath.replace(/\//g, '.')}`,
      message: e.message,
    }));
    throw new AppError('VALIDATION_ERROR', 'invalid GitHub source_config', details);
  }
  const c = withDefaults as GithubSourceConfig;
  return {
    baseUrl: (c.base_url ?? GITHUB_DEFAULT_BASE_URL).replace(/\/+$/, ''),
    token: c.token ?? null,
    owner: c.owner,
    repo: c.repo,
    state: c.state ?? 'all',
    includePullRequests: c.include_pull_requests ?? false,
  };
}

export function describeGithub(input: Record<string, unknown>): SourceDescription {
  const c = resolveGithubConfig(input);
  const fullName = `${c.owner}/${c.repo}`;
  const filters = [...(c.state === 'all' ? [] : [`state=${c.state}`]), ...(c.includePullRequests ? ['pull_requests'] : [])];
  return { base_url: c.baseUrl, scope: fullName, project: fullName, ...(filters.length > 0 && { read_filter: filters.join(' ') }) };
}
