/** Jira Cloud: search/jql pages by nextPageToken (in the POST body), comments per issue. */
import { jiraModule } from '../../../src/connectors/jira/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import { JiraFake, type JiraRequest } from '../../../src/sandbox/fakes/jira.js';
import { generateIssues } from '../../../src/sandbox/fakes/jira-data.js';
import type { ConformanceSource } from '../source.js';

export const jira: ConformanceSource = {
  type: 'jira',
  module: jiraModule as unknown as ConnectorModule,
  async start({ items, latencyMs }) {
    const fake = new JiraFake({ flavor: 'cloud', latencyMs, issues: generateIssues({ count: items, comments: (i) => i % 3 }) });
    await fake.start();
    return {
      fake,
      config: (o = {}) => ({ base_url: fake.baseUrl, project_key: o.missing ? 'NOPE' : 'TEST', ...fake.credentials }),
      scope: 'TEST',
      expected: () => new Map(fake.issues.map((i) => [String(i.id), i.comments.map((c) => String(c.id))])),
    };
  },
  pageKey(r) {
    if (r.path !== '/rest/api/3/search/jql') return null;
    const body = (r as JiraRequest).body;
    return `${String(body?.jql)} after ${String(body?.nextPageToken ?? 'start')}`;
  },
  pagingNoun: /token/i,
  commentsOf: (r) => [/^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(r.path)?.[1]].filter((id) => id !== undefined),
};
