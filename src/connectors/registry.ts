/** The four source connectors by source_type; the worker checks at start-up that each is here. */
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
