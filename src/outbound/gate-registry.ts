/**
 * Gates shared by every SourceHttp of one factory that talks to the same source at the same origin with the same
 * credentials and settings: two imports of one GitHub token in one process then draw on one
 * budget and one concurrency limit, as the source counts them, instead of each spending it alone.
 */
import { createHash } from 'node:crypto';
import { AccountGate, type GateOptions } from './account-gate.js';

export class GateRegistry {
  private readonly gates = new Map<string, AccountGate>();

  constructor(private readonly maxGates: number) {}

  /** `identity` names who is asking whom (origin, credentials); it is hashed, never kept in clear. */
  get(identity: unknown, opts: GateOptions): AccountGate {
    const key = createHash('sha256').update(JSON.stringify([identity, opts])).digest('hex');
    let gate = this.gates.get(key);
    if (gate) {
      // most recently used last, so the oldest goes first when the map is full
      this.gates.delete(key);
    } else {
      gate = new AccountGate(opts);
      if (this.gates.size >= this.maxGates) this.gates.delete(this.gates.keys().next().value!);
    }
    this.gates.set(key, gate);
    return gate;
  }
}
