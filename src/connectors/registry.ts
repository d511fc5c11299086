/**
 * The four source connectors by source_type. Loading this module checks that every SOURCE_TYPES
 * entry has its connector, so a missing one stops start-up (API and worker alike) instead of failing jobs.
 */
import type { ConnectorModule, SourceType } from './connector.js';
import { SOURCE_TYPES } from './connector.js';
import { jiraModule } from './jira/index.js';
import { servicenowModule } from './servicenow/index.js';
import { githubModule } from './github/index.js';
import { gitlabModule } from './gitlab/index.js';

export const connectors = {
  jira: jiraModule,
  servicenow: servicenowModule,
  github: githubModule,
  gitlab: gitlabModule,
} as unknown as Record<SourceType, ConnectorModule>;

for (const type of SOURCE_TYPES) {
  if (connectors[type]?.sourceType !== type) throw new Error(`connector registry: no handler for source_type ${type}`);
}
