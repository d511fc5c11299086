/** GitLab: issue pages with their notes over GraphQL (`after` cursor); REST notes for an issue with more than one inline page. */
import { gitlabModule } from '../../../src/connectors/gitlab/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import { GitLabFake, type GitLabRequest } from '../../../src/sandbox/fakes/gitlab.js';
import type { ConformanceSource } from '../source.js';

export const gitlab: ConformanceSource = {
  type: 'gitlab',
  module: gitlabModule as unknown as ConnectorModule,
  async start({ items, latencyMs }) {
    const fake = new GitLabFake({ latencyMs });
    await fake.start();
    fake.project.seed(items, { userNotes: (i) => i % 3 });
    const { project } = fake;
    return {
      fake,
      config: (o = {}) => ({ base_url: fake.baseUrl, token: fake.token, project_id: o.missing ? 'acme/no-such-project' : project.path }),
      scope: project.path,
      expected: () => new Map(project.issues.map((i) => [String(i.id), project.userNotes(i.iid).map((n) => String(n.id))])),
    };
  },
  pageKey(r) {
    const graphql = (r as GitLabRequest).graphql;
    if (graphql) return `graphql after ${graphql.after ?? ''}`;
    if (!/^\/api\/v4\/projects\/[^/]+\/issues$/.test(r.path) || r.query.get('per_page') === '1') return null;
    return `${r.query.get('cursor') ?? ''} page ${r.query.get('page') ?? 1}`;
  },
  pagingNoun: /cursor|link/i,
  commentsOf: (r) => [...((r as GitLabRequest).graphql?.notesOf ?? []), /\/issues\/(\d+)\/notes$/.exec(r.path)?.[1]].filter((n) => n !== undefined).map((n) => `#${n}`),
};
