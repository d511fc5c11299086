/** The GitHub source: issues (and optionally pull requests) of one repository, with comments. */
import type { ConnectorModule } from '../connector.js';
import { describeGithub, githubConfigSchema, resolveGithubConfig } from './config.js';
import { GithubConnector } from './connector.js';

export const githubModule: ConnectorModule = {
  sourceType: 'github',
  configSchema: githubConfigSchema,
  secretFields: ['token'],
  describe: (config) => describeGithub(config),
  create: (config, ctx) => new GithubConnector(resolveGithubConfig(config), ctx),
};

export { GithubConnector, DEFAULT_GITHUB_TUNING, type GithubTuning } from './connector.js';
export { githubConfigSchema, resolveGithubConfig, type GithubConfig, type GithubSourceConfig } from './config.js';
export type { GithubRecord, RawComment, RawIssue } from './normalize.js';
