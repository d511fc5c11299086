/**
 * The import form's fields per source (CONTRACT §5). Only what a person types: the service's
 * own schema (from the same connectors) validates the request and its 422 details are shown.
 */
import type { SourceType } from './api.js';

export interface Field {
  name: string;
  label: string;
  kind: 'text' | 'url' | 'secret' | 'select' | 'checkbox';
  required?: boolean;
  placeholder?: string;
  hint?: string;
  options?: readonly string[];
}

export const SOURCE_LABELS: Record<SourceType, string> = {
  jira: 'Jira',
  servicenow: 'ServiceNow',
  github: 'GitHub',
  gitlab: 'GitLab',
};

export const SOURCE_FIELDS: Record<SourceType, readonly Field[]> = {
  jira: [
    { name: 'base_url', label: 'Base URL', kind: 'url', required: true, placeholder: 'https://acme.atlassian.net' },
    { name: 'project_key', label: 'Project key', kind: 'text', placeholder: 'TEST', hint: 'A project key or a JQL query.' },
    { name: 'jql', label: 'JQL', kind: 'text', placeholder: 'project = TEST AND labels = support' },
    { name: 'email', label: 'Email (Cloud)', kind: 'text' },
    { name: 'api_token', label: 'API token (Cloud)', kind: 'secret' },
    { name: 'personal_access_token', label: 'Personal access token (Data Center)', kind: 'secret' },
  ],
  servicenow: [
    { name: 'base_url', label: 'Instance URL', kind: 'url', required: true, placeholder: 'https://acme.service-now.com' },
    { name: 'table', label: 'Table', kind: 'text', placeholder: 'incident' },
    { name: 'query', label: 'Encoded query', kind: 'text', placeholder: 'active=true' },
    { name: 'username', label: 'Username', kind: 'text' },
    { name: 'password', label: 'Password', kind: 'secret' },
    { name: 'access_token', label: 'OAuth access token', kind: 'secret', hint: 'Instead of a username and password.' },
  ],
  github: [
    { name: 'base_url', label: 'API URL', kind: 'url', placeholder: 'https://api.github.com' },
    { name: 'owner', label: 'Owner', kind: 'text', required: true },
    { name: 'repo', label: 'Repository', kind: 'text', required: true },
    { name: 'token', label: 'Token', kind: 'secret', hint: 'Optional for public repositories.' },
    { name: 'state', label: 'Issue state', kind: 'select', options: ['all', 'open', 'closed'] },
    { name: 'include_pull_requests', label: 'Include pull requests', kind: 'checkbox' },
  ],
  gitlab: [
    { name: 'base_url', label: 'Base URL', kind: 'url', placeholder: 'https://gitlab.com' },
    { name: 'project_id', label: 'Project (id or group/project)', kind: 'text', required: true },
    { name: 'token', label: 'Token', kind: 'secret', required: true },
    { name: 'state', label: 'Issue state', kind: 'select', options: ['all', 'opened', 'closed'] },
  ],
};

export type FormValues = Record<string, string | boolean>;

/** source_config from the form: blank fields left out, a numeric GitLab project id sent as a number. */
export function sourceConfig(type: SourceType, values: FormValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of SOURCE_FIELDS[type]) {
    const v = values[field.name];
    if (field.kind === 'checkbox') {
      if (v === true) config[field.name] = true;
    } else if (typeof v === 'string' && v.trim() !== '') {
      config[field.name] = field.kind === 'secret' ? v : v.trim();
    }
  }
  if (type === 'gitlab' && typeof config['project_id'] === 'string' && /^\d+$/.test(config['project_id'])) {
    config['project_id'] = Number(config['project_id']);
  }
  return config;
}
