/** Lets the retention sweep find old job item logs without scanning the table. */
import type { Migration } from './index.js';

export const jobItemsRetention: Migration = {
  id: 2,
  name: 'job-items-retention',
  sql: `CREATE INDEX job_items_recorded ON job_items (recorded_at);`,
};
