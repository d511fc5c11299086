/**
 * Gates shared by every SourceHttp of one factory that talks to the same source at the same origin with the same
 * credentials and settings: two imports of one GitHub token in one process then draw on one
 * budget and one concurrency limit, as the source counts them, instead of each spending it alone.
 * With a SharedBudget every gate of an account (in any process, whatever its settings) also draws
 * on one deployment-wide budget in Redis.
 */
import { createHash } from 'node:crypto';
import { AccountGate, type GateOptions } from './account-gate.js';
import type { SharedBudget } from './shared-budget.js';

export class GateRegistry {
  private readonly gates = new Map<string, AccountGate>();

  constructor(private readonly maxGates: number, private readonly shared?: SharedBudget) {}

  /** `identity` names who is asking whom (origin, credentials); it is hashed, never kept in clear. */
  get(identity: unknown, opts: GateOptions): AccountGate {
    const key = createHash('sha256').update(JSON.stringify([identity, opts])).digest('hex');
    let gate = this.gates.get(key);
    if (gate) {
      // most recently used last, so the oldest goes first when the map is full
      this.gates.delete(key);
    } else {
      // The source counts per account, not per client setting: the shared name leaves the settings out.
      const shared = this.shared ? { budget: this.shared, account: this.shared.account([opts.source, identity]) } : undefined;
      gate = new AccountGate(opts, shared);
      if (this.gates.size >= this.maxGates) this.gates.delete(this.gates.keys().next().value!);
    }
    this.gates.set(key, gate);
    return gate;
  }
}
