/** What an operator reads about a job: start, each failed item, each retry, the end with counts and duration. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { pino } from 'pino';
import { startHarness, type Harness } from '../support/harness.js';
import { createSourceHttp } from '../../src/outbound/http.js';
import { createTransport } from '../../src/outbound/transport.js';
import type { RetryNotice } from '../../src/outbound/types.js';
import { TEST_POLICY } from '../support/policy.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('job lifecycle log lines', () => {
  it('say when a job starts, which items failed and how it ended, each with job, tenant and source', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    h = await startHarness({ logger });
    const { job } = await h.deps.jobs.create(
      { source_type: 'github', source_config: { base_url: 'https://example.com', scope: 'logs', count: 5, bad_items: [1, 3] }, options: { batch_size: 2 } },
      { tenantId: 'acme', requestId: 'r', correlationId: null, idempotencyKey: null },
    );
    await h.waitFor(job.job_id);
    // The end line follows the record's transition (after the watermark is stored): wait for it.
    for (let i = 0; i < 400 && !lines.some((l) => l.job_id === job.job_id && l.msg === 'import completed'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const mine = lines.filter((l) => l.job_id === job.job_id);
    expect(mine.every((l) => l.tenant_id === 'acme' && l.source_type === 'github')).toBe(true);
    expect(mine.find((l) => l.msg === 'import started')).toMatchObject({ mode: 'full', resumed: false });
    expect(mine.filter((l) => l.msg === 'item failed').map((l) => l.key)).toEqual(['T-1', 'T-3']);
    const end = mine.find((l) => l.msg === 'import completed');
    expect(end).toMatchObject({ processed: 5, successful: 3, failed: 2, skipped: 0, batches: 3 });
    expect(typeof end!.duration_ms).toBe('number');
  });
});

describe('source retries', () => {
  it('are announced with the attempt, the reason and the wait before they happen', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(hits < 3 ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const notices: RetryNotice[] = [];
    const http = createSourceHttp({ source: 'Jira', baseUrl: base, onRetry: (n) => notices.push(n) }, createTransport(true), TEST_POLICY.http);
    try {
      await http.get('/rest/api/2/myself');
    } finally {
      server.close();
    }
    expect(notices.map((n) => [n.attempt, n.attempts, n.reason])).toEqual([
      [1, 6, 'HTTP 503 (GET /rest/api/2/myself)'],
      [2, 6, 'HTTP 503 (GET /rest/api/2/myself)'],
    ]);
    expect(notices.every((n) => n.source === 'Jira' && typeof n.wait_ms === 'number')).toBe(true);
  });
});
