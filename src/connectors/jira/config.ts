/**
 * Jira source_config (CONTRACT §5): base_url; email + api_token (Cloud, Basic) or
 * personal_access_token (Data Center, Bearer); project_key or jql (exactly one).
 * The credential kind decides the API flavour: Cloud REST v3 or Data Center REST v2.
 */
import { Type, type Static } from 'typebox';
import type { SourceDescription } from '../connector.js';
import { splitOrderBy } from './jql.js';

export const jiraConfigSchema = Type.Object(
  {
    base_url: Type.String({
      pattern: '^https?://',
      description: 'Site URL, e.g. https://acme.atlassian.net (Data Center: may include a context path)',
    }),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Atlassian account email (Cloud, with api_token)' })),
    api_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Atlassian API token (Cloud)' })),
    personal_access_token: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: 'Personal access token (Data Center), sent as Bearer' }),
    ),
    project_key: Type.Optional(
      Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,254}$', description: 'Project key, e.g. TEST (or give jql)' }),
    ),
    jql: Type.Optional(
      Type.String({ minLength: 1, maxLength: 8000, description: 'JQL selecting the issues (or give project_key)' }),
    ),
  },
  { additionalProperties: false },
);

export type JiraConfig = Static<typeof jiraConfigSchema>;

export type JiraFlavor = 'cloud' | 'dc';

export function flavorOf(config: JiraConfig): JiraFlavor {
  return config.personal_access_token !== undefined ? 'dc' : 'cloud';
}

/** Cross-field rules; paths are relative to source_config. */
export function validateJiraConfig(config: JiraConfig): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  const cloud = config.email !== undefined || config.api_token !== undefined;
  if (cloud && config.personal_access_token !== undefined) {
    errors.push({ path: '/personal_access_token', message: 'give either email + api_token (Cloud) or personal_access_token (Data Center), not both' });
  } else if (!cloud && config.personal_access_token === undefined) {
    errors.push({ path: '/api_token', message: 'email + api_token (Cloud) or personal_access_token (Data Center) is required' });
  } else if (cloud && config.email === undefined) {
    errors.push({ path: '/email', message: 'email is required with api_token' });
  } else if (cloud && config.api_token === undefined) {
    errors.push({ path: '/api_token', message: 'api_token is required with email' });
  }
  if (config.project_key !== undefined && config.jql !== undefined) {
    errors.push({ path: '/jql', message: 'give either project_key or jql, not both' });
  } else if (config.project_key === undefined && config.jql === undefined) {
    errors.push({ path: '/project_key', message: 'project_key or jql is required' });
  } else if (config.jql !== undefined && splitOrderBy(config.jql).where === '') {
    // Jira refuses unbounded searches (an ORDER BY alone) with a 400.
    errors.push({ path: '/jql', message: 'jql must contain a search condition, not only ORDER BY' });
  }
  return errors;
}

export function baseUrlOf(config: JiraConfig): string {
  return config.base_url.replace(/\/+$/, '');
}

/**
 * scope = project_key or the jql text; project = project_key, or '' for a jql scope (which may
 * span projects: every item carries its own project key from fields.project.key).
 */
export function describeJira(config: JiraConfig): SourceDescription {
  return {
    base_url: baseUrlOf(config),
    scope: config.project_key ?? (config.jql ?? '').trim(),
    project: config.project_key ?? '',
  };
}
