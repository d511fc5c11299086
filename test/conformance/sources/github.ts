/** GitHub: issue list pages by Link rel="next" (page=N), comments per issue or repository-wide. */
import { githubModule } from '../../../src/connectors/github/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import { GithubFake } from '../../../src/sandbox/fakes/github.js';
import type { ConformanceSource } from '../source.js';

const ISSUE_LIST = /^\/(?:repos\/[^/]+\/[^/]+|repositories\/\d+)\/issues$/;

export const github: ConformanceSource = {
  type: 'github',
  module: githubModule as unknown as ConnectorModule,
  async start({ items, latencyMs }) {
    const fake = new GithubFake({ issues: items, prEvery: 0, latencyMs, commentsFor: (n) => n % 3 });
    await fake.start();
    const { owner, repo } = fake.data.o;
    return {
      fake,
      config: (o = {}) => ({ base_url: fake.baseUrl, token: fake.token, owner, repo: o.missing ? 'no-such-repo' : repo }),
      scope: `${owner}/${repo}`,
      expected: () => new Map(fake.data.issues.map((i) => [
        String(i['id']),
        fake.data.comments.filter((c) => c['issue_url'] === `${fake.data.repoUrl}/issues/${String(i['number'])}`).map((c) => String(c['id'])),
      ])),
    };
  },
  pageKey: (r) => (ISSUE_LIST.test(r.path) ? `${r.query.get('since') ?? ''} page ${r.query.get('page') ?? 1}` : null),
  pagingNoun: /link/i,
  commentsOf: (r) => [/\/issues\/(\d+)\/comments$/.exec(r.path)?.[1]].filter((n) => n !== undefined).map((n) => `#${n}`),
};
