/** Runs a connector over every page (normalizing each record) and counts what it took. */
import { pino } from 'pino';
import type { ConnectorModule } from '../src/connectors/connector.js';
import { createSourceHttpFactory } from '../src/outbound/http.js';
import type { SourceHttp, SourceHttpGlobals } from '../src/outbound/types.js';
import { DEFAULT_POLICY } from '../src/policy.js';

export interface Drained {
  items: number;
  comments: number;
  requests: number;
  ms: number;
}

/** `globals`: e.g. a SharedBudget, for a drain that shares its account's budget with other processes. */
export async function drainConnector(
  module: ConnectorModule, config: Record<string, unknown>, batchSize = 100, globals: Partial<SourceHttpGlobals> = {},
): Promise<Drained> {
  const factory = createSourceHttpFactory({ allowPrivateNetworks: true, policy: DEFAULT_POLICY, ...globals });
  const clients: SourceHttp[] = [];
  const connector = module.create(config, { http: (o) => clients[clients.push(factory(o)) - 1]!, logger: pino({ level: 'silent' }), policy: DEFAULT_POLICY.sources });
  const t0 = performance.now();
  let items = 0;
  let comments = 0;
  const signal = new AbortController().signal;
  for await (const page of connector.pages({ cursor: null, since: null, batchSize, includeComments: true, signal })) {
    for (const raw of page.records) comments += connector.normalize(raw).comments.length;
    items += page.records.length;
  }
  const requests = clients.reduce((n, c) => n + c.requestCount, 0);
  return { items, comments, requests, ms: performance.now() - t0 };
}
