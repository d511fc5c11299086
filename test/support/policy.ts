/**
 * The policy tests run with: the service's own, with retries backing off in milliseconds and
 * the worker noticing a lost job within seconds, so fault cases stay quick. Timeouts and caps
 * stay as shipped, so a loaded machine does not turn into false failures.
 */
import { DEFAULT_POLICY, type Policy } from '../../src/policy.js';

const fast = { baseMs: 2, maxMs: 10 };

export const TEST_POLICY: Policy = {
  ...DEFAULT_POLICY,
  http: { ...DEFAULT_POLICY.http, backoff: fast },
  jobs: { ...DEFAULT_POLICY.jobs, storeBackoff: { baseMs: 20, maxMs: 100 }, storeOutageBackoff: { baseMs: 200, maxMs: 1000 }, errorRetry: { baseMs: 100, maxMs: 200 } },
  worker: { ...DEFAULT_POLICY.worker, lockDurationMs: 3000, stalledIntervalMs: 1000 },
  redis: { ...DEFAULT_POLICY.redis, reconnect: { baseMs: 50, maxMs: 1000 } },
  // A callback claimed by a killed process comes due again within seconds.
  callback: { ...DEFAULT_POLICY.callback, backoff: { baseMs: 100, maxMs: 400 }, timeoutMs: 5000, leaseMs: 6000, pollMs: 50 },
  // GitHub's bulk comment list held to 20 pages: the per-issue path shows with 2,100 comments, not 10,100.
  sources: { ...DEFAULT_POLICY.sources, github: { ...DEFAULT_POLICY.sources.github, bulkCommentPages: 20 } },
};

type Parts = { [K in keyof Policy]?: Policy[K] extends object ? Partial<Policy[K]> : Policy[K] };

/** TEST_POLICY with some values of its parts replaced. */
export function testPolicy(parts: Parts): Policy {
  const out: Record<string, unknown> = { ...TEST_POLICY };
  for (const [k, v] of Object.entries(parts)) {
    const base = TEST_POLICY[k as keyof Policy];
    out[k] = typeof base === 'object' ? { ...base, ...(v as object) } : v;
  }
  return out as unknown as Policy;
}
