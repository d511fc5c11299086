/**
 * ServiceNow connector figures, side by side in one run, against the fake instance with 50 ms
 * latency and 500 incidents carrying comments and work notes:
 * - the connector: keyset pages of 100, each page's journal in one bulk sys_journal_field
 *   request, the next page fetched while the journal is read;
 * - a plain sequential client: offset pages following Link rel="next", then the journal of each
 *   incident with one request per incident.
 * Prints requests per item, wall time and the ratio.
 */
import type { ConnectorModule } from '../src/connectors/connector.js';
import { drainConnector } from './drain.js';
import { servicenowModule } from '../src/connectors/servicenow/index.js';
import { parseLinkHeader } from '../src/outbound/link-header.js';
import { FakeServiceNow } from '../src/sandbox/fakes/servicenow.js';
import { seedIncidents } from '../src/sandbox/fakes/servicenow-seed.js';
import { started } from '../src/sandbox/fakes/vendor-fake.js';

const INCIDENTS = 500;
export const USER = 'bench.user';
export const PASSWORD = 'bench-password';

interface Result {
  items: number;
  comments: number;
  requests: number;
  ms: number;
}

export const connectorImport = (fake: FakeServiceNow): Promise<Result> =>
  drainConnector(servicenowModule as unknown as ConnectorModule, { base_url: fake.baseUrl, username: USER, password: PASSWORD });

/** What a first attempt looks like: offset pages one after another, then each incident's journal (the first `limit`). */
export async function plainSequential(fake: FakeServiceNow, limit = Infinity): Promise<Result> {
  const headers = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, accept: 'application/json' };
  const t0 = performance.now();
  let requests = 0;
  let items = 0;
  let comments = 0;
  let next: string | undefined =
    `${fake.baseUrl}/api/now/table/incident?sysparm_limit=100&sysparm_offset=0&sysparm_display_value=all&sysparm_query=ORDERBYsys_created_on`;
  while (next && items < limit) {
    const res: Response = await fetch(next, { headers });
    requests++;
    const { result } = (await res.json()) as { result: { sys_id: { value: string } }[] };
    for (const record of result.slice(0, limit - items)) {
      const q = encodeURIComponent(`element_id=${record.sys_id.value}^elementINcomments,work_notes^ORDERBYsys_created_on`);
      const j = await fetch(`${fake.baseUrl}/api/now/table/sys_journal_field?sysparm_query=${q}`, { headers });
      requests++;
      comments += ((await j.json()) as { result: unknown[] }).result.length;
    }
    items += Math.min(result.length, limit - items);
    next = parseLinkHeader(res.headers.get('link')).next;
  }
  return { items, comments, requests, ms: performance.now() - t0 };
}

export async function run(print: (line: string) => void): Promise<void> {
  const fake = await started(new FakeServiceNow({ users: { [USER]: PASSWORD }, latencyMs: 50 }));
  seedIncidents(fake.data, { count: INCIDENTS, journal: (i) => i % 5 });
  try {
    print(`ServiceNow: ${INCIDENTS} incidents with comments and work notes, fake latency 50 ms`);
    const ours = await connectorImport(fake);
    const plain = await plainSequential(fake);
    const line = (name: string, r: Result): string =>
      `  ${name.padEnd(44)} ${(r.requests / r.items).toFixed(3)} req/item  ${(r.ms / 1000).toFixed(2).padStart(6)} s  items ${r.items}, journal entries ${r.comments}`;
    print(line('connector (keyset pages, bulk journal)', ours));
    print(line('plain sequential (offset, journal per item)', plain));
    print(`  ratio: ${(plain.requests / ours.requests).toFixed(1)}x fewer requests, ${(plain.ms / ours.ms).toFixed(1)}x faster`);
  } finally {
    await fake.close();
  }
}
