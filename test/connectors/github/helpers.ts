/** Shared set-up for the GitHub connector tests: a fake, a connector on it, and draining pages(). */
import { pino } from 'pino';
import type { NormalizedItem, PageOptions, SourcePage } from '../../../src/connectors/connector.js';
import { createSourceHttpFactory } from '../../../src/outbound/http.js';
import type { SourceHttpFactory } from '../../../src/outbound/types.js';
import { resolveGithubConfig } from '../../../src/connectors/github/config.js';
import { GithubConnector } from '../../../src/connectors/github/connector.js';
import type { Policy } from '../../../src/policy.js';
import type { GithubRecord } from '../../../src/connectors/github/normalize.js';
import { GithubFake, type GithubFakeOptions } from '../../../src/sandbox/fakes/github.js';
import { started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { TEST_POLICY } from '../../support/policy.js';

export const fakes: GithubFake[] = [];

export async function startFake(opts: GithubFakeOptions = {}): Promise<GithubFake> {
  const fake = await started(new GithubFake(opts));
  fakes.push(fake);
  return fake;
}

export async function closeFakes(): Promise<void> {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
}

/** Loopback allowed; retries back off in milliseconds so fault tests stay quick. */
export function testHttp(timeoutMs?: number): SourceHttpFactory {
  const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
  return (o) => factory({ ...o, timeoutMs });
}

export function connectorFor(
  fake: GithubFake,
  config: Record<string, unknown> = {},
  tuning: Partial<Policy['sources']['github']> = {},
  timeoutMs?: number,
): GithubConnector {
  const cfg = resolveGithubConfig({ base_url: fake.baseUrl, owner: fake.data.o.owner, repo: fake.data.o.repo, token: fake.token, ...config });
  const policy = { ...TEST_POLICY.sources, github: { ...TEST_POLICY.sources.github, ...tuning } };
  return new GithubConnector(cfg, { http: testHttp(timeoutMs), logger: pino({ level: 'silent' }), policy });
}

export interface Drained {
  pages: SourcePage[];
  records: GithubRecord[];
  items: NormalizedItem[];
}

export async function drain(connector: GithubConnector, opts: Partial<PageOptions> = {}): Promise<Drained> {
  const out: Drained = { pages: [], records: [], items: [] };
  const full: PageOptions = { cursor: null, since: null, batchSize: 100, includeComments: true, signal: new AbortController().signal, ...opts };
  for await (const page of connector.pages(full)) {
    out.pages.push(page);
    for (const r of page.records) {
      out.records.push(r as GithubRecord);
      out.items.push(connector.normalize(r));
    }
  }
  return out;
}

/** Issue numbers of the fake that are issues (not pull requests). */
export function issueNumbers(fake: GithubFake): number[] {
  return fake.data.issues.filter((i) => !i['pull_request']).map((i) => i['number'] as number);
}

export function expectedComments(fake: GithubFake, n: number): string[] {
  return fake.data.comments.filter((c) => c['issue_url'] === `${fake.data.repoUrl}/issues/${n}`).map((c) => String(c['id']));
}
