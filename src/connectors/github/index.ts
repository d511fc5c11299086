/** The GitHub source: issues (and optionally pull requests) of one repository, with comments, history, uploads and custom fields. */
import type { ConnectorModule } from '../connector.js';
import { describeGithub, githubConfigSchema, resolveGithubConfig } from './config.js';
import { GithubConnector } from './connector.js';
import { GITHUB_DEFAULT_FIELD_MAP } from './fields.js';

export const githubModule: ConnectorModule = {
  sourceType: 'github',
  configSchema: githubConfigSchema,
  secretFields: ['token'],
  describe: (config) => describeGithub(config),
  defaultFieldMap: GITHUB_DEFAULT_FIELD_MAP,
  create: (config, ctx) => new GithubConnector(resolveGithubConfig(config), ctx),
};

export type { GithubRecord } from './normalize.js';
