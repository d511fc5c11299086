/** Builds a Jira connector against a JiraFake with a real SourceHttp, and drains its pages. */
import { pino } from 'pino';
import type { Connector, PageOptions, SourcePage } from '../../../src/connectors/connector.js';
import { createSourceHttpFactory } from '../../../src/outbound/http.js';
import type { SourceHttpOptions } from '../../../src/outbound/types.js';
import { jiraModule, type JiraConfig } from '../../../src/connectors/jira/index.js';
import type { JiraFake } from '../../../src/sandbox/fakes/jira.js';
import { TEST_POLICY } from '../../support/policy.js';

export interface RawIssue {
  id: string;
  key: string;
  fields: { comment?: { comments: { id: string }[]; total: number }; summary?: string };
}

/** Fast retries so fault tests take milliseconds; everything else as in production. */
export function connectorFor(fake: JiraFake, config: Partial<JiraConfig> = {}, http: Partial<SourceHttpOptions> = {}): Connector {
  const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
  const full = { base_url: fake.baseUrl, project_key: 'TEST', ...fake.credentials, ...config } as JiraConfig;
  return jiraModule.create(full, {
    http: (o) => factory({ ...o, ...http }),
    logger: pino({ level: 'silent' }),
    policy: TEST_POLICY.sources,
  });
}

export async function drain(
  connector: Connector,
  opts: Partial<PageOptions> = {},
): Promise<{ pages: SourcePage[]; records: RawIssue[] }> {
  const pages: SourcePage[] = [];
  for await (const page of connector.pages({
    cursor: null, since: null, batchSize: 100, includeComments: true, signal: new AbortController().signal, ...opts,
  })) {
    pages.push(page);
  }
  return { pages, records: pages.flatMap((p) => p.records as RawIssue[]) };
}

/** Fails the test if any id appears twice. */
export function ids(records: RawIssue[]): string[] {
  const list = records.map((r) => r.id);
  if (new Set(list).size !== list.length) throw new Error('an issue was delivered twice');
  return list;
}
