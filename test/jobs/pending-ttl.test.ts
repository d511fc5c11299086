/** A job waiting as pending behind a busy scope keeps its record, credentials and dispatch data alive (issue 8). */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

const ctx = { tenantId: null, requestId: 'r', correlationId: null, idempotencyKey: null };
const body = (count: number, delay_ms: number) => ({
  source_type: 'github' as const,
  source_config: { base_url: 'https://example.com', scope: 'ttl-scope', count, delay_ms, token: 'tok-secret-123' },
  options: { batch_size: 5 },
});

describe('a pending job behind a busy scope', { timeout: 60_000 }, () => {
  it('has its TTLs refreshed while it waits, and completes once the scope is free', async () => {
    h = await startHarness();
    const running = (await h.deps.jobs.create(body(80, 100), ctx)).job;
    await h.waitFor(running.job_id, (j) => j.status === 'processing');
    const waiting = (await h.deps.jobs.create(body(5, 0), ctx)).job;
    const { redis, keys } = h.deps;
    const kept = [keys.record(waiting.job_id), keys.credentials(waiting.job_id), keys.dispatch(waiting.job_id)];
    // As if it had waited most of a TTL already:
    for (const key of kept) expect(await redis.expire(key, 30)).toBe(1);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ttls = await Promise.all(kept.map((k) => redis.ttl(k)));
      if (ttls.every((t) => t > 86_000)) break;
      if (Date.now() > deadline) throw new Error(`TTLs not refreshed: ${ttls.join(',')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await h.deps.records.get(waiting.job_id))!.status).toBe('pending');
    expect((await h.deps.records.get(running.job_id))!.status).toBe('processing');
    await h.deps.jobs.cancel(running.job_id, null);
    expect(await h.waitFor(waiting.job_id)).toMatchObject({ status: 'completed', progress: { processed_items: 5 } });
  });
});
