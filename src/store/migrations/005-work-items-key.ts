/** Lets a connector find a stored item by its key (a GitHub parent named by number) without scanning its project. */
import type { Migration } from './index.js';

export const workItemsKey: Migration = {
  id: 5,
  name: 'work-items-key',
  sql: `CREATE INDEX work_items_key ON work_items (tenant_id, source_type, source_instance, project, key);`,
};
