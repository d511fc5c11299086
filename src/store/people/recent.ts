/**
 * Accounts this process recorded lately, with what they showed: a batch naming only such accounts,
 * shown the same way, needs no people statements at all (a job meets the same few people on every
 * page, and recording them costs a transaction of four round trips). An entry lasts `ttlMs`, so
 * `last_seen_at` stays within that of the truth; a sighting that shows anything new (a name, an
 * address, a verification) is recorded at once. Bounded: past `max` entries the oldest are dropped.
 */
import type { BatchContext } from '../../items/types.js';
import type { AccountSighting } from './accounts.js';

export class RecentAccounts {
  private readonly seen = new Map<string, { shown: string; at: number }>();

  constructor(private readonly ttlMs = 10 * 60_000, private readonly max = 50_000, private readonly now = () => Date.now()) {}

  /** The sightings that must be recorded (new, changed, or not recorded within the TTL). */
  unrecorded(ctx: BatchContext, accounts: AccountSighting[]): AccountSighting[] {
    const now = this.now();
    return accounts.filter((a) => {
      const hit = this.seen.get(keyOf(ctx, a));
      return !hit || hit.shown !== shownOf(a) || now - hit.at > this.ttlMs;
    });
  }

  /** After their transaction committed. */
  recorded(ctx: BatchContext, accounts: AccountSighting[]): void {
    const now = this.now();
    for (const a of accounts) {
      const key = keyOf(ctx, a);
      this.seen.delete(key); // re-inserted last: Map order is then oldest-recorded first
      this.seen.set(key, { shown: shownOf(a), at: now });
    }
    for (const key of this.seen.keys()) {
      if (this.seen.size <= this.max) break;
      this.seen.delete(key);
    }
  }
}

const keyOf = (ctx: BatchContext, a: AccountSighting): string =>
  JSON.stringify([ctx.tenantId ?? '', ctx.sourceType, ctx.sourceInstance, a.external_id]);
const shownOf = (a: AccountSighting): string => JSON.stringify([a.name, a.email, a.key]);
