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
  create: createJiraConnector,
};

export type { JiraConfig } from './config.js';
