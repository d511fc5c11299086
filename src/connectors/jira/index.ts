/**
 * Jira as a ConnectorModule: Cloud REST v3 or Data Center REST v2 (see connector.ts).
 */
import type { ConnectorModule } from '../connector.js';
import { describeJira, jiraConfigSchema, validateJiraConfig, type JiraConfig } from './config.js';
import { createJiraConnector } from './connector.js';

export const jiraModule: ConnectorModule<JiraConfig> = {
  sourceType: 'jira',
  configSchema: jiraConfigSchema,
  secretFields: ['api_token', 'personal_access_token'],
  validate: validateJiraConfig,
  describe: describeJira,
  /**
   * Jira's standard fields for the mapped ones, by id or display name: `duedate` (emitted as a custom
   * field), the "Story Points" number field and the "Sprint" field of Jira Software. Cloud's newer
   * "Story point estimate" field needs a job's field_map (a default names one field only).
   */
  // Company-managed projects name it "Story Points", team-managed ones "Story point estimate".
  defaultFieldMap: { due_date: 'duedate', story_points: ['Story Points', 'Story point estimate'], sprint: 'Sprint' },
  create: createJiraConnector,
};

export type { JiraConfig } from './config.js';
