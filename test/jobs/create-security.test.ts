/** What POST-time checks and the runner do so that a credential cannot leak through a side door. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { dumpValues } from '../support/redis.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.cleanup());

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };
const body = (config: Record<string, unknown>) => ({
  source_type: 'github' as const,
  source_config: { base_url: 'https://example.com', scope: `s-${Math.random()}`, count: 3, ...config },
});

describe('credentials at the edges', () => {
  it('refuses a base_url carrying a query string or fragment, and stores nothing', async () => {
    const before = await dumpValues(h.deps.redis, `${h.prefix}import:`);
    for (const base_url of ['https://example.com/?token=abc123secret', 'https://example.com/#frag']) {
      await expect(h.deps.jobs.create(body({ base_url }), ctx)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR', details: [{ path: '/source_config/base_url' }],
      });
    }
    expect(await dumpValues(h.deps.redis, `${h.prefix}import:`)).toBe(before);
  });

  it('refuses a credential with a line break at POST, naming the field and not its value', async () => {
    const err = await h.deps.jobs.create(body({ token: 'ghp_pasted\nwith-newline' }), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: '/source_config/token' }] });
    expect(JSON.stringify(err)).not.toContain('ghp_pasted');
  });

  it('keeps no plain hash of the request body (it holds the credentials) for Idempotency-Key', async () => {
    const request = body({ token: 'Winter2024!' });
    const { job } = await h.deps.jobs.create(request, { ...ctx, idempotencyKey: 'k-1' });
    const replay = await h.deps.jobs.create(request, { ...ctx, idempotencyKey: 'k-1' });
    expect(replay).toMatchObject({ created: false, job: { job_id: job.job_id } });
    const canonical = JSON.stringify({ source_config: Object.fromEntries(Object.entries(request.source_config).sort()), source_type: 'github' });
    const dump = await dumpValues(h.deps.redis, h.prefix);
    expect(dump).not.toContain(createHash('sha256').update(canonical).digest('hex'));
    expect(dump).not.toContain(createHash('sha256').update('k-1').digest('hex'));
    await h.waitFor(job.job_id);
  });

  it("cuts the job's own credentials out of a source error before it is stored or logged", async () => {
    const token = 'tok-SECRET-0123456789';
    const { job } = await h.deps.jobs.create(body({ token, fail_at_page: 0, fail_message: `GitHub said: bad credentials ${token}` }), ctx);
    const done = await h.waitFor(job.job_id);
    expect(done.status).toBe('failed');
    expect(done.error_message).toBe('GitHub said: bad credentials [REDACTED]');
  });
});
