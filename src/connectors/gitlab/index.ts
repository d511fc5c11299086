/** GitLab (gitlab.com and self-managed) as an import source: issues of one project with their notes. */
import type { ConnectorModule } from '../connector.js';
import { describeGitLab, type GitLabConfig, gitlabConfigSchema } from './config.js';
import { createGitLabConnector } from './connector.js';

/** source_config reaches describe/create already validated against gitlabConfigSchema. */
export const gitlabModule: ConnectorModule = {
  sourceType: 'gitlab',
  configSchema: gitlabConfigSchema,
  secretFields: ['token'],
  defaultFieldMap: { story_points: 'weight', due_date: 'due_date', sprint: 'iteration', severity: 'severity' },
  describe: (config) => describeGitLab(config as GitLabConfig),
  create: (config, ctx) => createGitLabConnector(config as GitLabConfig, ctx),
};

export { gitlabConfigSchema, type GitLabConfig } from './config.js';
export type { GitLabIssue, GitLabNote, GitLabRecord } from './types.js';
