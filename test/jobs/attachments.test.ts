/**
 * The attachment step of an import (issue 12) end to end through the worker: a test connector whose
 * attachmentContent reads a local HTTP server through the real guarded HTTP layer, the local blob
 * store under DATA_DIR/blobs, caps from the policy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startHarness, type Harness } from '../support/harness.js';
import { testPolicy } from '../support/policy.js';
import type { TestAttachment, TestConfig } from '../support/test-connector.js';
import type { JobRecord } from '../../src/jobs/types.js';
import type { WorkItem } from '../../src/store/types.js';
import { parseCheckpoint } from '../../src/jobs/checkpoint.js';
import { emptyProgress } from '../../src/jobs/create.js';
import { createWorker } from '../../src/deps.js';
import { attachmentBlobKey } from '../../src/blobs/keys.js';
import { scrubUrl } from '../../src/jobs/attachment-urls.js';

interface Served { status?: number; body?: Buffer; type?: string; hang?: boolean; delayMs?: number }

class FileServer {
  readonly files = new Map<string, Served>();
  readonly hits: string[] = [];
  readonly aborted: string[] = [];
  readonly auth: (string | undefined)[] = [];
  inFlight = 0;
  peak = 0;
  private server: Server | null = null;
  url = '';
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.hits.push(path);
      this.auth.push(req.headers.authorization);
      const f = this.files.get(path) ?? { status: 404 };
      if (f.hang) {
        res.on('close', () => this.aborted.push(path));
        return;
      }
      this.peak = Math.max(this.peak, ++this.inFlight);
      setTimeout(() => {
        this.inFlight--;
        res.writeHead(f.status ?? 200, f.type ? { 'content-type': f.type } : {});
        res.end(f.body);
      }, f.delayMs ?? 0);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async close() {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));
const ctx = { tenantId: null, requestId: 'req', correlationId: null, idempotencyKey: null };

let h: Harness | undefined;
let files: FileServer | undefined;
afterEach(async () => {
  await h?.cleanup();
  await files?.close();
  h = undefined;
});

async function setup(attachments: { policy?: Partial<ReturnType<typeof testPolicy>['attachments']>; lines?: string[] } = {}) {
  files = await new FileServer().start();
  const lines = attachments.lines;
  const logger = lines ? pino({ level: 'warn' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } })) : undefined;
  h = await startHarness({
    env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' },
    policy: testPolicy({ attachments: { maxFileBytes: 1000, maxItemBytes: 1500, maxJobBytes: 100_000, concurrency: 2, ...attachments.policy } }),
    ...(logger ? { logger } : {}),
  });
  return { h, files };
}

async function run(cfg: Partial<TestConfig> & { attachments: TestAttachment[] }, opts: Record<string, unknown> = {}): Promise<JobRecord> {
  const config = { base_url: 'https://example.com', scope: 'att', count: 3, attachments_url: files!.url, ...cfg };
  const { job } = await h!.deps.jobs.create({ source_type: 'github', source_config: config, options: { batch_size: 10, download_attachments: true, ...opts } }, ctx);
  return h!.waitFor(job.job_id);
}

async function itemsOf(jobId: string): Promise<(WorkItem & { action: string })[]> {
  const logged = await h!.deps.store.jobItems(jobId, { limit: 100 });
  const out = [];
  for (const ref of logged.items) {
    const item = await h!.deps.store.getItem(ref.item_id!, null);
    out.push({ ...item!, action: ref.action });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  return out.sort();
}

describe('attachment content (options.download_attachments)', () => {
  it('downloads, hashes and stores each attachment; a re-run reuses every blob with no request and leaves the items unchanged', async () => {
    await setup();
    const png = bytes(700, 3);
    const pdf = bytes(300, 5);
    files!.files.set('/a/1', { body: png, type: 'image/png' });
    files!.files.set('/a/2', { body: pdf, type: 'application/pdf' });
    const attachments = [
      { item: 0, id: 'att-1', name: 'screen.png', size: 700, path: '/a/1' },
      { item: 1, id: 'att-2', name: 'spec.pdf', path: '/a/2' }, // no declared size nor media type: filled from the download
    ];
    const first = await run({ attachments });
    expect(first.status).toBe('completed');
    expect(files!.hits.sort()).toEqual(['/a/1', '/a/2']);
    const items = await itemsOf(first.job_id);
    const [a0, a1] = [items[0]!.attachments[0]!, items[1]!.attachments[0]!];
    expect(a0.content).toMatchObject({ size: 700, sha256: sha(png) });
    expect(a1).toMatchObject({ size: 300, media_type: 'application/pdf', content: { size: 300, sha256: sha(pdf) } });
    expect(items[0]!.completeness!.attachments.state).toBe('complete');
    // The blob is where its key says, with exactly the bytes.
    const blobDir = join(h!.dataDir, 'blobs');
    expect((await readFile(join(blobDir, 'objects', a0.content!.blob_key))).equals(png)).toBe(true);
    expect(a0.content!.blob_key).toMatch(/^_\/github\/[0-9a-f]{2}\/[0-9a-f]{64}$/);

    const again = await run({ attachments });
    expect(again.status).toBe('completed');
    expect(files!.hits).toHaveLength(2); // nothing downloaded twice
    const rerun = await itemsOf(again.job_id);
    expect(rerun.map((i) => i.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(rerun[0]!.attachments[0]!.content).toEqual(a0.content);
  });

  it('honours the per-file, per-item and per-job caps, and refuses a size mismatch, each with its reason; the job completes', async () => {
    await setup({ policy: { maxJobBytes: 2600 } });
    for (const [path, n] of [['/big', 2000], ['/f1', 600], ['/f2', 600], ['/f3', 600], ['/nosize', 1200], ['/short', 90], ['/long', 110], ['/j1', 900], ['/j2', 900]] as const) {
      files!.files.set(path, { body: bytes(n), type: 'application/octet-stream' });
    }
    const job = await run({
      count: 5,
      attachments: [
        { item: 0, id: 'big', name: 'big.iso', size: 2000, path: '/big' }, // declared over the file cap: never requested
        { item: 1, id: 'f1', name: 'one', size: 600, path: '/f1' },
        { item: 1, id: 'f2', name: 'two', size: 600, path: '/f2' },
        { item: 1, id: 'f3', name: 'three', size: 600, path: '/f3' }, // 1800 > 1500 for the item
        { item: 2, id: 'short', name: 'short.txt', size: 100, path: '/short' },
        { item: 2, id: 'long', name: 'long.txt', size: 100, path: '/long' },
        { item: 3, id: 'j1', name: 'j1', size: 900, path: '/j1' },
        { item: 4, id: 'j2', name: 'j2', size: 900, path: '/j2' },
      ],
    });
    expect(job.status).toBe('completed');
    expect(files!.hits).not.toContain('/big');
    expect(job.progress.partial_items).toBe(4);
    const items = await itemsOf(job.job_id);
    const reason = (i: number) => items[i]!.completeness!.attachments.reason ?? '';
    expect(items.every((i) => i.completeness!.attachments.state === (i.key === 'T-3' ? 'complete' : 'partial'))).toBe(true);
    expect(reason(0)).toBe('content of 1 of 1 attachments not stored: big.iso: over the per-file cap (1000 bytes)');
    expect(reason(1)).toContain('three: over the per-item cap (1500 bytes)');
    expect(items[1]!.attachments.filter((a) => a.content).map((a) => a.name)).toEqual(['one', 'two']);
    expect(reason(2)).toContain('short.txt: size mismatch: the source declares 100 bytes, 90 received');
    expect(reason(2)).toContain('long.txt: size mismatch: larger than the 100 bytes the source declares');
    expect(items[2]!.attachments.every((a) => a.content === null)).toBe(true);
    // Job cap 2600: 600 + 600 + 900 downloaded before item 4's 900 would pass it.
    expect(reason(4)).toBe('content of 1 of 1 attachments not stored: j2: over the per-job cap (2600 bytes)');
    // Only what was stored is in the blob store: two of item 1, item 3's.
    const stored = (await filesUnder(join(h!.dataDir, 'blobs', 'objects'))).length;
    expect(stored).toBe(3);
  });

  it('an undeclared size is bounded by the caps while it downloads: over the per-file cap it is cut off and not stored', async () => {
    await setup();
    files!.files.set('/nosize', { body: bytes(1200), type: 'application/octet-stream' });
    files!.files.set('/small', { body: bytes(500), type: 'application/octet-stream' });
    const job = await run({ count: 1, attachments: [{ item: 0, id: 'n', name: 'nosize.bin', path: '/nosize' }, { item: 0, id: 's', name: 'small.bin', path: '/small' }] });
    expect(job.status).toBe('completed');
    const [item] = await itemsOf(job.job_id);
    expect(item!.completeness!.attachments.reason).toBe('content of 1 of 2 attachments not stored: nosize.bin: over the per-file cap (1000 bytes)');
    expect(item!.attachments.map((a) => a.content?.size ?? null)).toEqual([null, 500]);
    expect(item!.attachments[0]!.size).toBeNull();
  });

  it('downloads at most policy.attachments.concurrency files at once across the page', async () => {
    await setup({ policy: { concurrency: 2, maxJobBytes: 100_000 } });
    const attachments = Array.from({ length: 8 }, (_, i) => ({ item: i % 4, id: `c${i}`, name: `c${i}`, size: 50, path: `/c${i}` }));
    for (const a of attachments) files!.files.set(a.path, { body: bytes(50, a.item), type: 'text/plain', delayMs: 40 });
    const job = await run({ count: 4, attachments });
    expect(job.status).toBe('completed');
    expect(files!.hits).toHaveLength(8);
    expect(files!.peak).toBeLessThanOrEqual(2);
  });

  it('a hostile attachment id or name never leaves BLOB_DIR', async () => {
    await setup();
    files!.files.set('/x', { body: bytes(10), type: 'text/plain' });
    const job = await run({ count: 1, attachments: [{ item: 0, id: '../../../../../../tmp/evil', name: '../../../evil.sh', size: 10, path: '/x' }] });
    expect(job.status).toBe('completed');
    const [item] = await itemsOf(job.job_id);
    const key = item!.attachments[0]!.content!.blob_key;
    expect(key).not.toContain('..');
    expect(await filesUnder(join(h!.dataDir, 'blobs'))).toEqual([`meta/${key}.json`, `objects/${key}`]);
    expect((await readdir(h!.dataDir)).filter((n) => n.includes('evil'))).toEqual([]);
  });

  it('a failed download leaves that attachment partial with a redacted reason; a 401 fails the job like any read', async () => {
    const lines: string[] = [];
    await setup({ lines });
    const token = 'tok-SECRET-value-123';
    files!.files.set('/ok', { body: bytes(10), type: 'text/plain' });
    files!.files.set('/denied', { status: 403 });
    files!.files.set('/down', { status: 500 });
    const job = await run({
      count: 1, token,
      attachments: [
        { item: 0, id: 'ok', name: 'ok.txt', size: 10, path: '/ok' },
        { item: 0, id: 'denied', name: 'denied.txt', size: 10, path: '/denied' },
        { item: 0, id: 'down', name: 'down.txt', size: 10, path: `/down?sig=${token}` },
      ],
    });
    expect(job.status).toBe('completed');
    expect(files!.auth.every((a) => a === `Bearer ${token}`)).toBe(true);
    const [item] = await itemsOf(job.job_id);
    const reason = item!.completeness!.attachments.reason!;
    expect(reason).toContain('denied.txt: download failed: Test answered HTTP 403');
    expect(reason).toContain('down.txt: download failed: Test unavailable: HTTP 500');
    expect(item!.attachments.find((a) => a.name === 'ok.txt')!.content).not.toBeNull();
    const logged = lines.join('\n');
    expect(logged).toContain('attachment content not stored');
    for (const text of [reason, logged, JSON.stringify(item)]) expect(text).not.toContain(token);
    // The stored source_url keeps no credential: the sig parameter is gone.
    expect(item!.attachments.find((a) => a.name === 'down.txt')!.source_url).toBe(`${files!.url}/down`);

    files!.files.set('/revoked', { status: 401 });
    const failed = await run({ count: 1, token, scope: 'att2', attachments: [{ item: 0, id: 'r', name: 'r', size: 10, path: '/revoked' }] });
    expect(failed).toMatchObject({ status: 'failed', error_code: 'SOURCE_AUTH_FAILED' });
    expect(JSON.stringify(failed)).not.toContain(token);
  });

  it('a cancel mid-download aborts the request and stores neither blob nor item', async () => {
    await setup();
    files!.files.set('/slow', { hang: true });
    const config = { base_url: 'https://example.com', scope: 'cancel', count: 1, attachments_url: files!.url, attachments: [{ item: 0, id: 's', name: 's', size: 10, path: '/slow' }] };
    const { job } = await h!.deps.jobs.create({ source_type: 'github', source_config: config, options: { download_attachments: true } }, ctx);
    const deadline = Date.now() + 10_000;
    while (!files!.hits.includes('/slow')) {
      if (Date.now() > deadline) throw new Error('the download never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await h!.deps.jobs.cancel(job.job_id, null);
    const done = await h!.waitFor(job.job_id);
    expect(done.status).toBe('cancelled');
    while (!files!.aborted.includes('/slow')) {
      if (Date.now() > deadline) throw new Error('the download was not aborted');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await h!.deps.store.jobItems(job.job_id, { limit: 10 })).items).toEqual([]);
    expect(await filesUnder(join(h!.dataDir, 'blobs', 'objects'))).toEqual([]);
  });

  it('a blob store that cannot write fails the job STORE_UNAVAILABLE (not a silently partial import)', async () => {
    await setup();
    files!.files.set('/a', { body: bytes(10), type: 'text/plain' });
    const tmp = join(h!.dataDir, 'blobs', 'tmp');
    await rm(tmp, { recursive: true });
    await writeFile(tmp, 'not a directory');
    const job = await run({ count: 1, attachments: [{ item: 0, id: 'a', name: 'a', size: 10, path: '/a' }] });
    expect(job).toMatchObject({ status: 'failed', error_code: 'STORE_UNAVAILABLE' });
    expect(job.error_message).toMatch(/^blob store \(local directory\) write failed: E[A-Z]+$/);
    expect((await h!.deps.store.jobItems(job.job_id, { limit: 10 })).items).toEqual([]);
  });

  it('without download_attachments nothing is requested and content stays null', async () => {
    await setup();
    files!.files.set('/a', { body: bytes(10) });
    const job = await run({ count: 1, attachments: [{ item: 0, id: 'a', name: 'a', size: 10, path: '/a' }] }, { download_attachments: false });
    expect(job.status).toBe('completed');
    expect(files!.hits).toEqual([]);
    const [item] = await itemsOf(job.job_id);
    expect(item!.attachments[0]!.content).toBeNull();
  });

  it('a resumed job counts what its earlier runs downloaded (the checkpoint) against the per-job cap, and reuses what they stored', async () => {
    files = await new FileServer().start();
    h = await startHarness({ worker: false, env: { SOURCE_ALLOW_PRIVATE_NETWORKS: 'true' }, policy: testPolicy({ attachments: { maxJobBytes: 1000 } }) });
    files.files.set('/p0', { body: bytes(600), type: 'text/plain' });
    files.files.set('/p1', { body: bytes(600), type: 'text/plain' });
    files.files.set('/p2', { body: bytes(600, 9), type: 'text/plain' });
    const config = {
      base_url: 'https://example.com', scope: 'resume-att', count: 2, attachments_url: files.url,
      attachments: [
        { item: 0, id: 'p0', name: 'p0', size: 600, path: '/p0' },
        { item: 1, id: 'p1', name: 'p1', size: 600, path: '/p1' },
        { item: 1, id: 'p2', name: 'p2', size: 600, path: '/p2' },
      ],
    };
    const { job } = await h.deps.jobs.create({ source_type: 'github', source_config: config, options: { batch_size: 1, download_attachments: true } }, ctx);
    // A run that died after its first page: 600 bytes downloaded, page 1 stored and checkpointed.
    await h.deps.records.transition(job.job_id, 'processing', {}, 'dead-worker');
    await h.deps.records.saveProgress(job.job_id, 'dead-worker', {
      progress: { ...emptyProgress(), total_items: 2, processed_items: 1, successful_items: 1, current_batch: 1, total_batches: 2 },
      checkpoint: JSON.stringify({ cursor: JSON.stringify({ next: 1 }), maxUpdatedAt: null, since: null, attachmentBytes: 600 }),
      items: [], counters: {},
    });
    // ...and that had stored page 2's first blob before it died.
    const p1 = bytes(600);
    await h.deps.blobs.put(attachmentBlobKey({ tenantId: null, sourceType: 'github', sourceInstance: 'example.com', itemExternalId: '100001', attachmentExternalId: 'p1' }), p1, { sha256: sha(p1), media_type: 'text/plain' });
    const worker = createWorker(h.deps);
    await worker.start();
    try {
      const done = await h.waitFor(job.job_id);
      expect(done.status).toBe('completed');
      expect(files.hits).toEqual([]);
      const [item] = await itemsOf(job.job_id);
      expect(item!.completeness!.attachments.reason).toBe('content of 1 of 2 attachments not stored: p2: over the per-job cap (1000 bytes)');
      expect(item!.attachments[0]!.content).toMatchObject({ size: 600, sha256: sha(p1) });
    } finally {
      await worker.close();
    }
  });

  it('the per-job cap counts the bytes of earlier runs of the job (from its checkpoint)', () => {
    expect(parseCheckpoint(JSON.stringify({ cursor: 'c', maxUpdatedAt: null, since: null, attachmentBytes: 1234 }))!.attachmentBytes).toBe(1234);
    expect(parseCheckpoint(JSON.stringify({ cursor: null, maxUpdatedAt: null, since: null }))!.attachmentBytes).toBe(0);
  });

  it('a stored source_url keeps no user:password, no secret-named parameter and none of the job\'s credential values', () => {
    expect(scrubUrl('https://u:p@h.example/a/f.png?X-Amz-Signature=abc&token=t&name=f.png', [])).toBe('https://h.example/a/f.png?name=f.png');
    expect(scrubUrl('https://h.example/files/tok-SECRET-1/f.png', ['tok-SECRET-1'])).toBe('https://h.example/files/[REDACTED]/f.png');
    expect(scrubUrl('/uploads/abc/f.png?private_token=x&w=2', [])).toBe('/uploads/abc/f.png?w=2');
    expect(scrubUrl('http://[bad', [])).toBeNull();
    expect(scrubUrl('https://gitlab.example/g/p/uploads/abc/my file.png', [])).toBe('https://gitlab.example/g/p/uploads/abc/my file.png');
  });
});
