/** Shared set-up for the GitLab connector tests: a fake server and a connector pointed at it. */
import { pino } from 'pino';
import type { Connector, SourcePage } from '../../../src/connectors/connector.js';
import { gitlabModule } from '../../../src/connectors/gitlab/index.js';
import type { GitLabRecord } from '../../../src/connectors/gitlab/types.js';
import { createSourceHttpFactory } from '../../../src/outbound/http.js';
import type { SourceHttp } from '../../../src/outbound/types.js';
import { GitLabFake, type GitLabFakeOptions } from '../../../src/sandbox/fakes/gitlab.js';
import { started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { TEST_POLICY } from '../../support/policy.js';

export async function startFake(opts: GitLabFakeOptions = {}): Promise<GitLabFake> {
  return started(new GitLabFake(opts));
}

export interface Made {
  connector: Connector;
  /** the SourceHttp the connector built, for request counts */
  http: () => SourceHttp;
}

/** Retries with millisecond backoff so fault tests stay fast; everything else as in production. */
export function connectorFor(fake: GitLabFake, config: Record<string, unknown> = {}): Made {
  const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
  let built: SourceHttp | null = null;
  const connector = gitlabModule.create(
    { base_url: fake.baseUrl, token: fake.token, project_id: fake.project.path, ...config },
    {
      http: (o) => (built = factory(o)),
      logger: pino({ level: 'silent' }),
      policy: TEST_POLICY.sources,
    },
  );
  return { connector, http: () => built! };
}

export interface Run {
  pages: SourcePage[];
  records: GitLabRecord[];
}

export async function collect(
  connector: Connector,
  o: { cursor?: string | null; since?: Date | null; batchSize?: number; includeComments?: boolean; includeHistory?: boolean; signal?: AbortSignal; maxPages?: number } = {},
): Promise<Run> {
  const pages: SourcePage[] = [];
  for await (const page of connector.pages({
    cursor: o.cursor ?? null,
    since: o.since ?? null,
    batchSize: o.batchSize ?? 100,
    includeComments: o.includeComments ?? true,
    ...(o.includeHistory !== undefined ? { includeHistory: o.includeHistory } : {}),
    signal: o.signal ?? new AbortController().signal,
  })) {
    pages.push(page);
    if (o.maxPages !== undefined && pages.length >= o.maxPages) break;
  }
  return { pages, records: pages.flatMap((p) => p.records as GitLabRecord[]) };
}

export function iids(records: GitLabRecord[]): number[] {
  return records.map((r) => r.iid);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
