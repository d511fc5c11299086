/**
 * The item store: PostgreSQL when DATABASE_URL is set, embedded PGlite in DATA_DIR otherwise,
 * one schema and one SQL for both. openItemStore migrates before returning.
 */
import type { ItemComment, NormalizedItem } from '../connectors/connector.js';
import { openDb, type Db, type DbOptions } from './db.js';
import { migrate } from './migrations/index.js';
import * as queries from './queries.js';
import type { BatchContext, ItemFailure, ItemHome, ItemOutcome, ItemScope } from '../items/types.js';
import type { ItemStore, JobItem, JobItemsQuery, ListItemsQuery, Page, WorkItem } from './types.js';
import { upsertBatch } from './upsert.js';
import { recordAccounts } from './people/record.js';
import { RecentAccounts } from './people/recent.js';
import { withPersonIds } from './people/resolve.js';
import { getPerson, listPeople } from './people/directory.js';
import { setPersonLinks } from './people/links.js';
import type { AccountRef, ListPeopleQuery, PersonRecord } from './people/types.js';
import { pruneChanges, readChanges, type ChangesPage, type ChangesQuery } from './changes.js';
import { markItemDeleted, markUnseenDeleted, type ItemMatch, type MarkDeletedResult } from './deletions.js';
import { UNIDENTIFIED_PREFIX } from '../items/types.js';
import { DEFAULT_POLICY, type Policy } from '../policy.js';

export class SqlItemStore implements ItemStore {
  /** Accounts recorded lately by this store (one database): unchanged sightings cost no statement. */
  private readonly recentAccounts = new RecentAccounts();

  constructor(
    readonly db: Db,
    private readonly changePolicy: Policy['itemChanges'] = DEFAULT_POLICY.itemChanges,
  ) {}

  /** The items first, then the accounts they name (src/store/people/record.ts): a retried batch redoes both. */
  async upsertBatch(ctx: BatchContext, items: NormalizedItem[], failures: ItemFailure[]): Promise<ItemOutcome[]> {
    const outcomes = await upsertBatch(this.db, ctx, items, failures);
    await recordAccounts(this.db, ctx, items, this.recentAccounts);
    return outcomes;
  }

  jobItems(jobId: string, query: JobItemsQuery): Promise<Page<JobItem>> {
    return queries.jobItems(this.db, jobId, query);
  }

  async getItem(id: string, tenantId: string | null): Promise<WorkItem | null> {
    const item = await queries.getItem(this.db, id, tenantId);
    return item ? ((await withPersonIds(this.db, [item]))[0] ?? null) : null;
  }

  async listItems(query: ListItemsQuery): Promise<Page<WorkItem>> {
    const page = await queries.listItems(this.db, query);
    return { ...page, items: await withPersonIds(this.db, page.items) };
  }

  getWatermark(scope: ItemScope): Promise<Date | null> {
    return queries.getWatermark(this.db, scope);
  }

  setWatermark(scope: ItemScope, at: Date): Promise<void> {
    return queries.setWatermark(this.db, scope, at);
  }

  markUnseenDeleted(scope: ItemScope & { jobId: string }): Promise<MarkDeletedResult> {
    return markUnseenDeleted(this.db, scope, UNIDENTIFIED_PREFIX);
  }

  markItemDeleted(home: ItemHome, match: ItemMatch): Promise<string[]> {
    return markItemDeleted(this.db, home, match);
  }

  pruneChanges(before: Date, limit: number): Promise<number> {
    return pruneChanges(this.db, before, limit);
  }

  changes(query: ChangesQuery): Promise<ChangesPage> {
    return readChanges(this.db, query, this.changePolicy.sequenceBatch);
  }

  storedComments(home: ItemHome, externalIds: string[]): Promise<Map<string, ItemComment[]>> {
    return queries.storedComments(this.db, home, externalIds);
  }

  storedIdsByKey(home: ItemHome, project: string, keys: string[]): Promise<Map<string, string>> {
    return queries.storedIdsByKey(this.db, home, project, keys);
  }

  listPeople(query: ListPeopleQuery): Promise<Page<PersonRecord>> {
    return listPeople(this.db, query);
  }

  getPerson(id: string, tenantId: string | null): Promise<PersonRecord | null> {
    return getPerson(this.db, id, tenantId);
  }

  setPersonLinks(id: string, tenantId: string | null, accounts: AccountRef[]): Promise<PersonRecord | null> {
    return setPersonLinks(this.db, id, tenantId, accounts);
  }

  countItems(): Promise<number> {
    return queries.countItems(this.db);
  }

  jobsRecordedBefore(before: Date, limit: number): Promise<string[]> {
    return queries.jobsRecordedBefore(this.db, before, limit);
  }

  deleteJobItems(jobIds: string[]): Promise<number> {
    return queries.deleteJobItems(this.db, jobIds);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens the database, applies pending migrations, and returns the store (which owns the Db). */
export async function openItemStore(opts: DbOptions): Promise<SqlItemStore> {
  const db = await openDb(opts);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return new SqlItemStore(db);
}

export type { ItemStore, JobItem, WorkItem } from './types.js';
