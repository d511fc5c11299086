/**
 * The one guarded HTTP layer for every outbound request — connectors to their sources and the
 * completion callback to its URL: the factory (types in types.ts; implementation in client.ts,
 * account-gate.ts, transport.ts, ssrf.ts).
 *
 * Guarantees: per-request timeout; the caller's AbortSignal stops waits and requests;
 * 5xx and network errors retried (capped exponential backoff with jitter, counts from the policy)
 * then SOURCE_UNAVAILABLE; 429/503 and vendor rate-limit signals wait as the vendor says
 * and, while waiting, no request at all goes to that account; a wait over `maxWaitMs`
 * fails with SOURCE_RATE_LIMITED; the remaining budget is respected before a 429 happens;
 * bounded parallelism per account; given a SharedBudget, one budget, pause and in-flight count per
 * account for every process of the deployment (shared-budget.ts); SSRF guard at connect time (every DNS answer checked,
 * redirects re-checked) unless private networks are allowed — and even then plain http only
 * reaches hosts whose every answer is private; errors name the source and
 * HTTP status and never carry a credential (headers and URL userinfo/query secrets redacted).
 */
import { SourceHttpClient } from './client.js';
import { GateRegistry } from './gate-registry.js';
import { createTransport } from './transport.js';
import type { Transport } from './transport.js';
import type { HttpPolicy } from '../policy.js';
import type { SourceHttp, SourceHttpFactory, SourceHttpGlobals, SourceHttpOptions, SourceRequestObserver } from './types.js';

/**
 * One connection pool (and SSRF policy) shared by every SourceHttp the factory makes, and one gate
 * per source + credentials + settings, so concurrent jobs against one account share its budget.
 */
export function createSourceHttpFactory(globals: SourceHttpGlobals): SourceHttpFactory {
  const transport = createTransport(globals.allowPrivateNetworks, undefined, globals.policy.http.maxHeaderBytes, globals.allowedHosts);
  const gates = new GateRegistry(globals.policy.maxAccountGates, globals.sharedBudget);
  return (opts) => createSourceHttp(opts, transport, globals.policy.http, gates, globals.observer);
}

/** The factory's building block; tests pass a transport with their own DNS answers. */
export function createSourceHttp(
  opts: SourceHttpOptions, transport: Transport, policy: HttpPolicy, gates?: GateRegistry, observer?: SourceRequestObserver,
): SourceHttp {
  return new SourceHttpClient(opts, transport, policy, gates, observer);
}
