/** ServiceNow: incident pages in keyset order (sysparm_query), journal entries by element_idIN. */
import { servicenowModule } from '../../../src/connectors/servicenow/index.js';
import type { ConnectorModule } from '../../../src/connectors/connector.js';
import { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { ConformanceSource } from '../source.js';

const USER = 'conformance.user';
const PASSWORD = 'conformance-Pässword-1';

export const servicenow: ConformanceSource = {
  type: 'servicenow',
  module: servicenowModule as unknown as ConnectorModule,
  async start({ items, latencyMs }) {
    const fake = new FakeServiceNow({ users: { [USER]: PASSWORD }, latencyMs });
    await fake.start();
    seedIncidents(fake.data, { count: items, journal: (i) => i % 3 });
    const journal = fake.data.rows('sys_journal_field');
    return {
      fake,
      config: (o = {}) => ({ base_url: fake.baseUrl, username: USER, password: PASSWORD, ...(o.missing ? { table: 'u_no_such_table' } : {}) }),
      scope: 'incident',
      expected: () => new Map(fake.data.rows('incident').map((r) => [r.sys_id!, journal.filter((j) => j.element_id === r.sys_id).map((j) => j.sys_id!)])),
    };
  },
  pageKey(r) {
    const m = /^\/api\/now\/(?:v[12]\/)?table\/incident$/.exec(r.path);
    if (!m || r.query.get('sysparm_fields') === 'sys_id') return null;
    return `${r.query.get('sysparm_query')} @${r.query.get('sysparm_offset') ?? 0}`;
  },
  pagingNoun: /cursor|key/i,
  commentsOf(r) {
    if (!r.path.endsWith('/table/sys_journal_field')) return [];
    return /element_idIN([^^]+)/.exec(r.query.get('sysparm_query') ?? '')?.[1]?.split(',') ?? [];
  },
};
