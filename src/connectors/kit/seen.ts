/**
 * "Have I met this key before in this walk?" in bounded memory. Small walks (one issue's
 * comments) keep the exact keys; past `exactLimit` keys the set becomes a Bloom filter of fixed
 * size, so a walk over millions of records costs the same few MiB as one over thousands.
 *
 * A Bloom filter can answer "seen" for a key it never met (never the reverse). The walker only
 * acts on that answer when *every* record of three pages in a row is "seen"; with 2^25 bits and
 * 4 probes the false-positive rate per key stays below 0.3 % up to a million keys and 25 % at
 * ten million, so even three single-record pages in a row at a million keys is ~1e-8.
 */
import { createHash } from 'node:crypto';

const BLOOM_BITS = 2 ** 25; // 4 MiB
const PROBES = 4;

export class SeenKeys {
  private exact: Set<string> | null = new Set();
  private bloom: Uint8Array | null = null;

  constructor(private readonly exactLimit = 4096) {}

  /** Records `key`; true when it had (probably, past exactLimit) been added before. */
  add(key: string): boolean {
    if (this.exact) {
      if (this.exact.has(key)) return true;
      this.exact.add(key);
      if (this.exact.size > this.exactLimit) this.toBloom();
      return false;
    }
    return this.bloomAdd(key);
  }

  private toBloom(): void {
    const keys = this.exact!;
    this.exact = null;
    this.bloom = new Uint8Array(BLOOM_BITS / 8);
    for (const k of keys) this.bloomAdd(k);
  }

  private bloomAdd(key: string): boolean {
    const digest = createHash('sha1').update(key).digest();
    let seen = true;
    for (let i = 0; i < PROBES; i++) {
      const bit = digest.readUInt32LE(i * 4) % BLOOM_BITS;
      const mask = 1 << (bit & 7);
      if ((this.bloom![bit >> 3]! & mask) === 0) {
        seen = false;
        this.bloom![bit >> 3]! |= mask;
      }
    }
    return seen;
  }
}
