/**
 * GitLab source_config (CONTRACT §5) and where it points. The scope of a job and the `project`
 * of its items are project_id exactly as the user gave it, as a string (CONTRACT §6).
 */
import { Type, type Static } from 'typebox';
import type { SourceDescription } from '../connector.js';

export const DEFAULT_BASE_URL = 'https://gitlab.com';

export const gitlabConfigSchema = Type.Object(
  {
    base_url: Type.Optional(
      Type.String({ minLength: 1, default: DEFAULT_BASE_URL, description: 'GitLab instance URL (self-managed likewise)' }),
    ),
    token: Type.String({ minLength: 1, description: 'Personal, project or group access token (sent as PRIVATE-TOKEN)' }),
    project_id: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, pattern: '\\S' })], {
      description: 'Numeric project id or full path such as "group/sub/project"',
    }),
    state: Type.Optional(
      Type.Union([Type.Literal('opened'), Type.Literal('closed'), Type.Literal('all')], { default: 'all' }),
    ),
  },
  { additionalProperties: false },
);

export type GitLabConfig = Static<typeof gitlabConfigSchema>;

/** Instance root without trailing slash; a pasted `/api/v4` suffix is tolerated. */
export function instanceUrl(config: GitLabConfig): string {
  const raw = (config.base_url ?? DEFAULT_BASE_URL).trim().replace(/\/+$/, '');
  return raw.replace(/\/api\/v4$/i, '');
}

export function projectRef(config: GitLabConfig): string {
  return String(config.project_id).trim();
}

export function describeGitLab(config: GitLabConfig): SourceDescription {
  const project = projectRef(config);
  const state = config.state ?? 'all';
  return { base_url: instanceUrl(config), scope: project, project, ...(state !== 'all' && { read_filter: `state=${state}` }) };
}

/** `/projects/:id` with the path URL-encoded: an un-encoded slash is a 404 on GitLab. */
export function projectApiUrl(config: GitLabConfig): string {
  return `${instanceUrl(config)}/api/v4/projects/${encodeURIComponent(projectRef(config))}`;
}
