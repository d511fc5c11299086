/**
 * Done when (issue 8): "a callback receiver that is down for an hour still gets its delivery".
 * The shipped schedule (DEFAULT_POLICY.callback: backoff, horizon) runs unchanged on a clock the
 * test moves: each time an attempt is due the clock jumps to it, so an hour of outage — half of it
 * refusing connections, half answering 503 — passes in seconds. Only how often the loop looks
 * (pollMs) is shortened. Redis, the outbox scripts and the HTTP path are the real ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHarness, type Harness } from '../support/harness.js';
import { freePort, startReceiver, until, type Receiver } from '../support/receiver.js';
import { CallbackDelivery } from '../../src/jobs/callbacks/delivery.js';
import { CallbackOutbox } from '../../src/jobs/callbacks/outbox.js';
import { signBody } from '../../src/jobs/callbacks/send.js';
import { DEFAULT_POLICY } from '../../src/policy.js';

const SECRET = 'whsec-test-0123456789abcdef0123456789';
const MINUTE = 60_000;
const policy = { ...DEFAULT_POLICY.callback, pollMs: 10 };
const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };

let h: Harness;
let hook: Receiver | undefined;
let delivery: CallbackDelivery | undefined;
beforeAll(async () => {
  h = await startHarness({ worker: false, env: { WEBHOOK_SECRET: SECRET, SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' } });
});
afterAll(async () => {
  await delivery?.close();
  await hook?.close();
  await h?.cleanup();
});

/** The outbox, counting the loop's looks (so "no further attempt" is waited for, not slept on). */
class CountingOutbox extends CallbackOutbox {
  claims = 0;
  override async claim(max: number, now?: number) {
    const out = await super.claim(max, now);
    this.claims += 1;
    return out;
  }
}

describe('a callback receiver down for an hour', { timeout: 120_000 }, () => {
  it('gets its delivery exactly once when it comes back, on the shipped schedule', async () => {
    expect(DEFAULT_POLICY.callback.horizonMs).toBe(24 * 60 * MINUTE);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`;
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'OUTAGE', count: 1 }, callback_url: url }, ctx);
    const ended = await h.deps.jobs.cancel(job.job_id, null);
    const key = h.deps.keys.callback(job.job_id);
    const endedAt = Number(await h.deps.redis.hget(key, 'deadline')) - policy.horizonMs;

    let offset = 0;
    const now = () => Date.now() + offset;
    const outbox = new CountingOutbox(h.deps.redis, h.deps.keys, policy.leaseMs);
    delivery = new CallbackDelivery({ outbox, http: h.deps.http, secret: SECRET, policy, logger: pino({ level: 'silent' }), now });
    delivery.start();

    /**
     * Moves the clock to the callback's next due time and waits for that attempt's outcome. `made`: the
     * attempts since the last look — on a loaded machine a short early backoff can run out in real time
     * before the test looks, so an attempt may pass between two looks.
     */
    const attempt = async (): Promise<{ at: number; gap: number; made: number; entry: Record<string, string> }> => {
      const before = Number(await h.deps.redis.hget(key, 'attempts'));
      const due = Number(await h.deps.redis.zscore(h.deps.keys.callbacksDue, job.job_id));
      const gap = due - now();
      offset = Math.max(offset, due - Date.now());
      let entry: Record<string, string> = {};
      await until(`attempt ${before + 1}`, async () => {
        entry = await h.deps.redis.hgetall(key);
        return Number(entry.attempts) > before && entry.lease === undefined;
      });
      return { at: Date.parse(entry.last_attempt_at!) - endedAt, gap, made: Number(entry.attempts) - before, entry };
    };

    // First half hour: nothing listens on the port.
    const refused: number[] = [];
    let refusedMade = 0;
    while (refused.at(-1) === undefined || refused.at(-1)! < 30 * MINUTE) {
      const a = await attempt();
      expect(a.entry).toMatchObject({ status: 'pending', last_error: expect.stringContaining('ECONNREFUSED') });
      refused.push(a.at);
      refusedMade += a.made;
    }
    // Second half hour: it is up, but answers 503.
    let up = false;
    hook = await startReceiver(() => (up ? { status: 204 } : { status: 503 }), port);
    const unavailable: number[] = [];
    let unavailableMade = 0;
    while (unavailable.at(-1) === undefined || unavailable.at(-1)! < 60 * MINUTE) {
      const a = await attempt();
      expect(a.gap).toBeLessThanOrEqual(15 * MINUTE);
      expect(a.entry).toMatchObject({ status: 'pending', last_error: expect.stringContaining('HTTP 503') });
      unavailable.push(a.at);
      unavailableMade += a.made;
    }
    expect(hook.hits).toHaveLength(unavailableMade);

    // Back after more than an hour: the next attempt, at most 15 min later, delivers.
    up = true;
    const back = unavailable.at(-1)!;
    const last = await attempt();
    expect(last.entry.status).toBe('delivered');
    expect(last.at).toBeGreaterThanOrEqual(60 * MINUTE);
    expect(last.at - back).toBeLessThanOrEqual(15 * MINUTE);

    expect(last.made).toBe(1);
    const attempts = refusedMade + unavailableMade + 1;
    expect(await h.deps.jobs.callback(job.job_id, null)).toEqual({
      status: 'delivered', attempts, last_attempt_at: new Date(endedAt + last.at).toISOString(), last_error: null,
    });
    const ok = hook.hits.at(-1)!;
    expect(JSON.parse(ok.body)).toEqual(JSON.parse(JSON.stringify(ended)));
    expect(ok.headers['x-signature-256']).toBe(signBody(SECRET, ok.body));

    // Exactly once: hours later, with the loop still looking, nothing more is sent.
    offset += 6 * 60 * MINUTE;
    const looks = outbox.claims;
    await until('the loop to look again', () => outbox.claims >= looks + 5);
    expect(hook.hits.filter((hit) => hit === ok)).toHaveLength(1);
    expect(hook.hits).toHaveLength(unavailableMade + 1);
    expect(await h.deps.redis.zscore(h.deps.keys.callbacksDue, job.job_id)).toBeNull();
    expect(await h.deps.redis.hget(key, 'body')).toBeNull();
    console.log(`receiver down ${Math.round(back / MINUTE)} min (virtual): ${refusedMade} refused, ${unavailableMade} × 503, delivered on attempt ${attempts} at ${Math.round(last.at / MINUTE)} min`);
  });
});
