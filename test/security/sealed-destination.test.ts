/** Credentials are sealed to their job, tenant, source type and destination origin (CONTRACT §8 audit). */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decryptSecrets, encryptSecrets, subkey, type SealContext } from '../../src/jobs/credentials.js';
import { startHarness, type Harness } from '../support/harness.js';

const master = randomBytes(32);
const ctx: SealContext = { jobId: 'job-1', tenantId: 'acme', sourceType: 'jira', baseUrl: 'https://acme.atlassian.net' };
const secrets = { api_token: 'tok-secret-123' };

describe('sealing', () => {
  it('round-trips for the same job and destination', () => {
    expect(decryptSecrets(master, ctx, encryptSecrets(master, ctx, secrets))).toEqual(secrets);
    // a path on the same origin is the same destination
    expect(decryptSecrets(master, { ...ctx, baseUrl: 'https://acme.atlassian.net/jira' }, encryptSecrets(master, ctx, secrets))).toEqual(secrets);
  });

  it.each([
    ['another origin', { baseUrl: 'https://evil.example.com' }],
    ['another port', { baseUrl: 'https://acme.atlassian.net:8443' }],
    ['another job', { jobId: 'job-2' }],
    ['another tenant', { tenantId: 'beta' }],
    ['no tenant', { tenantId: null }],
    ['another source type', { sourceType: 'github' }],
  ])('does not open for %s', (_, change) => {
    const sealed = encryptSecrets(master, ctx, secrets);
    expect(() => decryptSecrets(master, { ...ctx, ...change }, sealed)).toThrow(/cannot be decrypted/);
  });

  it('refuses a truncated tag and an envelope of the old version', () => {
    const [v, iv, tag, body] = encryptSecrets(master, ctx, secrets).split('.');
    const short = Buffer.from(tag!, 'base64').subarray(0, 4).toString('base64');
    expect(() => decryptSecrets(master, ctx, [v, iv, short, body].join('.'))).toThrow(/malformed/);
    expect(() => decryptSecrets(master, ctx, ['v1', iv, tag, body].join('.'))).toThrow(/older version/);
  });

  it('derives distinct subkeys for sealing and idempotency, neither equal to the master key', () => {
    const seal = subkey(master, 'seal');
    const idem = subkey(master, 'idempotency');
    expect(seal).toHaveLength(32);
    expect(seal.equals(idem)).toBe(false);
    expect(seal.equals(master) || idem.equals(master)).toBe(false);
  });
});

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('a job whose destination was altered in Redis', () => {
  it('fails without ever opening its credentials for the new destination', async () => {
    h = await startHarness({ worker: false });
    const { job } = await h.deps.jobs.create(
      { source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'sealed', count: 3, token: 'tok-secret-123' } },
      { tenantId: null, requestId: 'r', correlationId: null, idempotencyKey: null },
    );
    const queued = (await h.deps.queue.getJob(job.job_id))!;
    await queued.updateData({ ...queued.data, config: { ...queued.data.config, base_url: 'https://evil.example.net' } });
    const { createWorker } = await import('../../src/deps.js');
    const worker = createWorker(h.deps);
    await worker.start();
    try {
      const done = await h.waitFor(job.job_id);
      expect(done.status).toBe('failed');
      expect(done.error_code).toBe('INTERNAL_ERROR');
      expect(done.progress.processed_items).toBe(0);
    } finally {
      await worker.close();
    }
  });
});
