/** Builds the ServiceNow connector against a fake instance and drains its pages. */
import { pino } from 'pino';
import type { Connector, NormalizedItem, SourcePage } from '../../../src/connectors/connector.js';
import { createSourceHttpFactory } from '../../../src/outbound/http.js';
import type { SourceHttpFactory, SourceHttpOptions } from '../../../src/outbound/types.js';
import { servicenowModule, type ServiceNowConfig } from '../../../src/connectors/servicenow/index.js';
import { FakeServiceNow, type FakeServiceNowOptions } from '../../../src/sandbox/fakes/servicenow.js';
import { started } from '../../../src/sandbox/fakes/vendor-fake.js';
import { TEST_POLICY } from '../../support/policy.js';
import type { Policy } from '../../../src/policy.js';

export const USER = 'integration.user';
export const PASSWORD = 's3cr3t-Pässword';
export const TOKEN = 'oauth-token-abc123';

export async function startFake(opts: FakeServiceNowOptions = {}): Promise<FakeServiceNow> {
  return started(new FakeServiceNow({ users: { [USER]: PASSWORD }, tokens: [TOKEN], ...opts }));
}

/** Short backoffs so fault tests finish quickly; everything else is the real HTTP layer. */
export function connect(
  fake: FakeServiceNow,
  config: Partial<ServiceNowConfig> = {},
  http: Partial<SourceHttpOptions> = {},
  caps: Partial<Policy['sources']['servicenow']> = {},
): Connector {
  const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: TEST_POLICY });
  const fast: SourceHttpFactory = (o) => factory({ ...o, ...http });
  const auth = config.access_token ? {} : { username: USER, password: PASSWORD };
  return servicenowModule.create(
    { base_url: fake.baseUrl, ...auth, ...config } as ServiceNowConfig,
    { http: fast, logger: pino({ level: 'silent' }), policy: { ...TEST_POLICY.sources, servicenow: { ...TEST_POLICY.sources.servicenow, ...caps } } },
  );
}

export interface Drained {
  pages: SourcePage[];
  items: NormalizedItem[];
}

export async function drain(
  connector: Connector,
  opts: { cursor?: string | null; since?: Date | null; batchSize?: number; includeComments?: boolean; includeHistory?: boolean; signal?: AbortSignal } = {},
  onPage?: (page: SourcePage, index: number) => void,
): Promise<Drained> {
  const pages: SourcePage[] = [];
  const items: NormalizedItem[] = [];
  for await (const page of connector.pages({
    cursor: opts.cursor ?? null,
    since: opts.since ?? null,
    batchSize: opts.batchSize ?? 100,
    includeComments: opts.includeComments ?? true,
    ...(opts.includeHistory === undefined ? {} : { includeHistory: opts.includeHistory }),
    signal: opts.signal ?? new AbortController().signal,
  })) {
    pages.push(page);
    items.push(...page.records.map((r) => connector.normalize(r)));
    onPage?.(page, pages.length - 1);
  }
  return { pages, items };
}

export function keys(items: NormalizedItem[]): string[] {
  return items.map((i) => i.key).sort();
}
