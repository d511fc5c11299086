/**
 * The sandbox's ServiceNow: generated incidents with comments and work notes in
 * sys_journal_field, field changes in sys_audit, attachments and custom fields, served by the ServiceNow fake (fakes/servicenow.ts, built from the Table API
 * docs) with Basic auth.
 */
import { FakeServiceNow } from '../fakes/servicenow.js';
import { incidentNumber, seedIncidents } from '../fakes/servicenow-seed.js';
import { failingIndexes, type SandboxSource, type SandboxSourceOptions } from '../source.js';

const USER = 'sandbox.admin';
const PASSWORD = 'sandbox-fake-password-0000';

export async function startServicenow(o: SandboxSourceOptions): Promise<SandboxSource> {
  const fake = new FakeServiceNow({ users: { [USER]: PASSWORD } });
  const baseUrl = await fake.start(o.port);
  const rows = seedIncidents(fake.data, { count: o.items, journal: (i) => i % 4, history: (i) => i % 5, attachments: (i) => i % 3 });
  // Year 0 reads as a date but PostgreSQL has no year 0: the database refuses the item, alone.
  const failing = failingIndexes(o.items, 1).map((i) => {
    rows[i]!['opened_at'] = '0000-01-01 00:00:00';
    return { key: incidentNumber(i), why: 'opened_at in year 0: refused by the database' };
  });
  return {
    type: 'servicenow', label: 'ServiceNow', baseUrl,
    sourceConfig: { base_url: baseUrl, table: 'incident', username: USER, password: PASSWORD },
    secretEnv: { password: 'SANDBOX_SERVICENOW_PASSWORD' },
    items: o.items, failing, pacing: null,
    stats: () => ({ requests: fake.requests.length, limited: fake.requests.filter((r) => r.status === 429).length }),
    close: () => fake.close(),
  };
}
