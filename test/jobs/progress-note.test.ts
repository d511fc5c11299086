/**
 * A job that waits says so: while its source requests are retried (or its rate limit waited out) the
 * record's error_message carries a progress note, seen by GET and by the SSE feed (job events), cleared
 * as soon as a batch is stored; a source that never answers still fails with its final error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { githubModule } from '../../src/connectors/github/index.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { RunNote, retryNote } from '../../src/jobs/run-note.js';
import { describeFault } from '../../src/outbound/util.js';
import { testPolicy } from '../support/policy.js';
import { startHarness, type Harness } from '../support/harness.js';
import { testConnectors } from '../support/test-connector.js';
import { createServer } from 'node:net';
import { GithubFake } from '../../src/sandbox/fakes/github.js';

let h: Harness | null = null;
let fake: GithubFake | null = null;
afterEach(async () => {
  await h?.cleanup();
  await fake?.close();
  h = fake = null;
});

/** A port nothing listens on (yet): connecting to it is refused until the fake starts there. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };
const connectors = { ...testConnectors, github: githubModule } as Record<SourceType, ConnectorModule>;

async function setUp(backoff: { baseMs: number; maxMs: number }, handOffWaitMs?: number) {
  h = await startHarness({
    connectors,
    env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '1' },
    policy: testPolicy({ http: { backoff, ...(handOffWaitMs !== undefined && { handOffWaitMs }) } }),
  });
  fake = new GithubFake({ issues: 30, prEvery: 0, owner: 'octo-org', repo: 'hello-world' });
}

const create = async (baseUrl: string) =>
  (await h!.deps.jobs.create({
    source_type: 'github',
    source_config: { base_url: baseUrl, token: fake!.token, owner: 'octo-org', repo: 'hello-world' },
    options: { batch_size: 10 },
  }, ctx)).job;

describe('progress note while retrying', { timeout: 90_000 }, () => {
  it('shows "retrying n/6: <host> refused the connection" over GET and SSE, cleared once a batch is stored', async () => {
    // Retries a few seconds apart, so the note can be watched before the source comes back.
    await setUp({ baseMs: 1500, maxMs: 3000 });
    const port = await freePort();
    const job = await create(`http://127.0.0.1:${port}`);
    const seen: JobRecord[] = [];
    const unwatch = await h!.deps.events.watch(job.job_id, (j) => seen.push(j));
    try {
      const waiting = await h!.waitFor(job.job_id, (j) => j.error_message !== null, 10_000);
      expect(waiting.status).toBe('processing');
      expect(waiting.error_code).toBeNull();
      expect(waiting.error_message).toMatch(/^retrying [2-6]\/6: 127\.0\.0\.1 refused the connection \(next try in \d+ s\)$/);
      // the source comes back: the import goes on and the note goes away
      await fake!.start(port);
      const firstBatch = await h!.waitFor(job.job_id, (j) => j.progress.current_batch >= 1);
      expect(firstBatch.error_message).toBeNull();
      const done = await h!.waitFor(job.job_id);
      expect(done).toMatchObject({ status: 'completed', error_code: null, error_message: null });
      expect(done.progress.processed_items).toBe(30);
    } finally {
      await unwatch();
    }
    // The feed carried the note while it waited, and no event after the first stored batch has it.
    expect(seen.some((j) => j.status === 'processing' && /^retrying /.test(j.error_message ?? ''))).toBe(true);
    const afterBatch = seen.slice(seen.findIndex((j) => j.progress.current_batch >= 1));
    expect(afterBatch.length).toBeGreaterThan(0);
    expect(afterBatch.every((j) => j.error_message === null)).toBe(true);
  });

  it('a source that never answers fails with its final error, not the note', async () => {
    await setUp({ baseMs: 20, maxMs: 100 });
    const job = await create(`http://127.0.0.1:${await freePort()}`);
    const done = await h!.waitFor(job.job_id);
    expect(done).toMatchObject({ status: 'failed', error_code: 'SOURCE_UNAVAILABLE' });
    expect(done.error_message).toMatch(/^GitHub unavailable: ECONNREFUSED after 6 attempts/);
  });

  it('a job handed back for the rate limit shows "waiting for GitHub rate limit until <time>"', async () => {
    await setUp({ baseMs: 20, maxMs: 100 }, 300);
    await fake!.start();
    fake!.inject({ kind: 'secondary', status: 429, retryAfterSec: 3, match: /\/issues\?.*page=2/ });
    const job = await create(fake!.baseUrl);
    const waiting = await h!.waitFor(job.job_id, (j) => /^waiting for/.test(j.error_message ?? ''), 15_000);
    expect(waiting.status).toBe('processing');
    const m = /^waiting for GitHub rate limit until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(waiting.error_message!);
    expect(m).not.toBeNull();
    expect(Date.parse(m![1]!)).toBeGreaterThan(Date.now() - 1000);
    const done = await h!.waitFor(job.job_id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'completed', error_message: null });
  });
});

describe('progress note while a rate limit is waited out in place', { timeout: 90_000 }, () => {
  it('shows "waiting for GitHub rate limit until <time>" and clears it when the import goes on', async () => {
    await setUp({ baseMs: 20, maxMs: 100 });
    await fake!.start();
    fake!.inject({ kind: 'secondary', status: 429, retryAfterSec: 3, match: /\/issues\?.*page=2/ });
    const job = await create(fake!.baseUrl);
    const waiting = await h!.waitFor(job.job_id, (j) => /^waiting for/.test(j.error_message ?? ''), 15_000);
    expect(waiting.status).toBe('processing');
    expect(waiting.error_message).toMatch(/^waiting for GitHub rate limit until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ( \(try 2\/6\))?$/);
    const done = await h!.waitFor(job.job_id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'completed', error_message: null });
    expect(done.progress.processed_items).toBe(30);
  });
});

describe('note texts', () => {
  it('say what is retried, which try comes next and when', () => {
    const base = { source: 'GitHub', attempt: 2, attempts: 6, reason: 'ENOTFOUND (GET /repos/o/r)' };
    const summary = describeFault('ENOTFOUND', 'api.github.com');
    expect(retryNote({ ...base, summary, why: 'network', wait_ms: 3600 }, summary)).toBe('retrying 3/6: cannot resolve api.github.com (next try in 4 s)');
    expect(retryNote({ ...base, summary: 'rate limited: HTTP 429', why: 'rate_limited', wait_ms: 5000 }, '', Date.parse('2025-01-02T03:04:05.678Z')))
      .toBe('waiting for GitHub rate limit until 2025-01-02T03:04:10Z (try 3/6)');
  });

  it('are written at most once per interval, the latest text winning, and never after the run stopped', async () => {
    const writes: [number, string | null][] = [];
    const records = { note: async (_id: string, _owner: string, text: string | null) => { writes.push([Date.now(), text]); return { ok: false as const, status: null }; } };
    const note = new RunNote(records, 'job', 'owner', 300, pino({ level: 'silent' }));
    const later = Date.now() + 60_000;
    note.show('a', later);
    note.show('b', later);
    note.show('c', later);
    expect(writes.map((w) => w[1])).toEqual(['a']);
    await until(() => writes.length === 2);
    expect(writes[1]![1]).toBe('c');
    expect(writes[1]![0] - writes[0]![0]).toBeGreaterThanOrEqual(290);
    note.show('d', later);
    note.stop();
    await new Promise((r) => setTimeout(r, 400)); // nothing may come: the timer was cleared
    expect(writes.map((w) => w[1])).toEqual(['a', 'c']);
  });

  it('a stored batch carries the note while its wait lasts, and clears it once the wait is over', () => {
    const writes: (string | null)[] = [];
    const records = { note: async (_id: string, _owner: string, text: string | null) => { writes.push(text); return { ok: false as const, status: null }; } };
    const note = new RunNote(records, 'job', 'owner', 60_000, pino({ level: 'silent' }));
    note.show('waiting for GitHub rate limit until …', Date.now() + 60_000);
    note.show('newer, not yet written', Date.now() + 60_000);
    // a page fetched ahead is stored while the wait goes on: the save writes the newest note itself
    expect(note.forSave()).toBe('newer, not yet written');
    expect(note.forSave()).toBe('newer, not yet written');
    note.show('retrying 2/6: cannot resolve h (next try in 1 s)', Date.now() - 1);
    expect(note.forSave()).toBeNull();
    expect(note.forSave()).toBeNull();
    note.stop();
    expect(writes).toEqual(['waiting for GitHub rate limit until …']);
  });
});

async function until(cond: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}
