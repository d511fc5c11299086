/**
 * CONTRACT §8, PostgreSQL unreachable during an import: cut for real through a TCP proxy between the
 * service and the shared PostgreSQL. The job waits the outage out in the queue (processing, checkpoint
 * kept) and completes with exact counts, or fails STORE_UNAVAILABLE when the outage outlasts the limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHarness, type Harness } from '../support/harness.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TEST_DATABASE_URL } from '../support/store.js';
import { testPolicy } from '../support/policy.js';
import type { SqlItemStore } from '../../src/store/work-items.js';

let h: Harness | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.restore().catch(() => undefined); // the harness drops its schema through it
  await h?.cleanup();
  await proxy?.close();
  h = undefined;
  proxy = undefined;
});

const ctx = { tenantId: null, requestId: 'req-1', correlationId: null, idempotencyKey: null };
const input = (config: Record<string, unknown>) => ({
  source_type: 'github' as const,
  source_config: { base_url: 'https://example.com', scope: `s-${Math.random()}`, ...config },
  options: { batch_size: 10 },
});

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

async function until(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function startBehindProxy(policy: Parameters<typeof testPolicy>[0]) {
  proxy = await startTcpProxy(Number(new URL(TEST_DATABASE_URL).port || 5432));
  const url = new URL(TEST_DATABASE_URL);
  url.port = String(proxy.port);
  const logs = captureLogs();
  h = await startHarness({ postgres: true, env: { DATABASE_URL: url.toString() }, logger: logs.logger, policy: testPolicy(policy) });
  return { h, proxy, logs };
}

const handBacks = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === 'item store unreachable: job handed back until then');

describe('PostgreSQL outage during an import', { timeout: 120_000 }, () => {
  it('a 20 s outage mid-import: the job stays processing, is handed back, and completes with exact counts and no duplicates', async () => {
    const { h, proxy, logs } = await startBehindProxy({ jobs: { storeAttempts: 2, storeOutageBackoff: { baseMs: 500, maxMs: 2000 } } });
    const { job } = await h.deps.jobs.create(input({ count: 120, delay_ms: 150 }), ctx);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 2, 60_000);
    await proxy.sever();
    const cutAt = Date.now();
    await until(() => handBacks(logs.lines).length >= 2);
    // The outage is real and lasts 20 s; the job must still be processing throughout.
    while (Date.now() - cutAt < 20_000) {
      expect((await h.deps.records.get(job.job_id))?.status).toBe('processing');
      await new Promise((r) => setTimeout(r, 500));
    }
    await proxy.restore();
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    expect(done.progress).toMatchObject({ processed_items: 120, successful_items: 120, failed_items: 0, skipped_items: 0, current_batch: 12 });
    const db = (h.deps.store as SqlItemStore).db;
    const rows = await db.query<{ n: string; ids: string }>('SELECT count(*)::text AS n, count(DISTINCT external_id)::text AS ids FROM work_items');
    expect(rows.rows[0]).toEqual({ n: '120', ids: '120' });
    const logged = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM job_items WHERE job_id = $1', [job.job_id]);
    expect(logged.rows[0]!.n).toBe('120');
    const back = handBacks(logs.lines);
    expect(back[0]).toMatchObject({ job_id: job.job_id, source_type: 'github' });
    // Handed back for the store, never counted as a rate-limit hand-off.
    expect(logs.lines.some((l) => l.msg === 'source asks to wait: job handed back until then')).toBe(false);
  });

  it('an outage longer than storeOutageMaxMs fails the job with STORE_UNAVAILABLE', async () => {
    const { h, proxy, logs } = await startBehindProxy({ jobs: { storeAttempts: 2, storeOutageMaxMs: 4000, storeOutageBackoff: { baseMs: 400, maxMs: 1000 } } });
    const { job } = await h.deps.jobs.create(input({ count: 100, delay_ms: 100 }), ctx);
    await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 1, 60_000);
    await proxy.sever();
    const cutAt = Date.now();
    const done = await h.waitFor(job.job_id, undefined, 60_000);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(4000);
    expect(done).toMatchObject({ status: 'failed', error_code: 'STORE_UNAVAILABLE' });
    expect(done.error_message).toMatch(/^the item store has been unreachable for \d+ s: database error: /);
    expect(handBacks(logs.lines).length).toBeGreaterThanOrEqual(2);
    expect(done.progress.processed_items).toBeGreaterThanOrEqual(10);
  });
});
