/** The BlobStore contract, run against the local directory and against S3 (the fake S3 server, through the real SDK). */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../src/blobs/local.js';
import { S3BlobStore } from '../../src/blobs/s3.js';
import { BlobStoreError, type BlobStore } from '../../src/blobs/types.js';
import { attachmentBlobKey } from '../../src/blobs/keys.js';
import { FakeS3 } from '../../src/sandbox/fakes/s3.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function text(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const HOSTILE_KEYS = ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b', '..', 'a\\..\\b', 'a/b\u0000', '', 'a/%2e%2e/b', 'x'.repeat(200)];

function contract(name: string, make: () => Promise<BlobStore>) {
  describe(`${name} blob store`, () => {
    let store: BlobStore;
    beforeAll(async () => {
      store = await make();
    });

    it('puts, heads and gets the exact bytes with their hash and media type; absent keys read as null', async () => {
      const bytes = Buffer.from([0, 1, 2, 255, 254, ...Buffer.from('päyload')]);
      const key = 't-acme/jira/ab/abcdef';
      expect(await store.head(key)).toBeNull();
      expect(await store.get(key)).toBeNull();
      await store.put(key, bytes, { sha256: sha(bytes), media_type: 'image/png' });
      expect(await store.head(key)).toEqual({ size: bytes.length, sha256: sha(bytes), media_type: 'image/png' });
      const got = await store.get(key);
      expect(got!.info.sha256).toBe(sha(bytes));
      expect((await text(got!.body)).equals(bytes)).toBe(true);
    });

    it('replaces an object whole, and deletes (twice is fine)', async () => {
      const key = 't-acme/jira/cd/replace';
      await store.put(key, Buffer.from('old content'), { sha256: sha(Buffer.from('old content')), media_type: null });
      const next = Buffer.from('new');
      await store.put(key, next, { sha256: sha(next), media_type: 'text/plain' });
      expect(await store.head(key)).toEqual({ size: 3, sha256: sha(next), media_type: 'text/plain' });
      await store.delete(key);
      await store.delete(key);
      expect(await store.head(key)).toBeNull();
    });

    it('refuses every key that could leave the store, before touching it', async () => {
      for (const key of HOSTILE_KEYS) {
        await expect(store.put(key, Buffer.from('x'), { sha256: sha(Buffer.from('x')), media_type: null }), key).rejects.toThrow(/blob key refused/);
        await expect(store.head(key), key).rejects.toThrow(/blob key refused/);
        await expect(store.get(key), key).rejects.toThrow(/blob key refused/);
        await expect(store.delete(key), key).rejects.toThrow(/blob key refused/);
      }
    });

    it('takes the keys attachmentBlobKey makes from hostile names, tenants and ids', async () => {
      const key = attachmentBlobKey({ tenantId: '..', sourceType: 'github', sourceInstance: '../../etc', itemExternalId: '../../../passwd', attachmentExternalId: '/etc/shadow?token=abc' });
      expect(key).toMatch(/^t-__\/github\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      expect(key).not.toContain('token');
      await store.put(key, Buffer.from('ok'), { sha256: sha(Buffer.from('ok')), media_type: null });
      expect((await store.head(key))?.size).toBe(2);
    });
  });
}

describe('local directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'is-blobs-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  contract('local', () => LocalBlobStore.open(join(dir, 'store')));

  it('writes nothing outside its directory, leaves no temp file, and reads an object without its meta mark as absent', async () => {
    const root = join(dir, 'own');
    const store = await LocalBlobStore.open(root);
    const key = attachmentBlobKey({ tenantId: 'acme', sourceType: 'jira', sourceInstance: 'x', itemExternalId: '1', attachmentExternalId: '../../../../tmp/evil' });
    await store.put(key, Buffer.from('abc'), { sha256: sha(Buffer.from('abc')), media_type: null });
    expect((await readdir(dir)).sort()).toEqual(['own', 'store']);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    // A crash between the object's rename and its meta's: the object alone is not a blob.
    const orphan = 't-acme/jira/00/orphan';
    await mkdir(join(root, 'objects', 't-acme', 'jira', '00'), { recursive: true });
    await writeFile(join(root, 'objects', orphan), 'partial');
    expect(await store.head(orphan)).toBeNull();
    // A mark cut short (a full disk): absent, to be fetched again, rather than a store fault that fails the job.
    await mkdir(join(root, 'meta', 't-acme', 'jira', '00'), { recursive: true });
    await writeFile(join(root, 'meta', `${orphan}.json`), '{"size":7,"sha2');
    expect(await store.head(orphan)).toBeNull();
  });

  it('reports a directory it cannot write as a BlobStoreError naming the errno, not the path', async () => {
    const root = join(dir, 'ro');
    const store = await LocalBlobStore.open(root);
    await rm(join(root, 'tmp'), { recursive: true });
    await writeFile(join(root, 'tmp'), 'not a directory');
    const err = await store.put('a/b', Buffer.from('x'), { sha256: sha(Buffer.from('x')), media_type: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobStoreError);
    expect((err as Error).message).toMatch(/^blob store \(local directory\) write failed: E[A-Z]+$/);
  });
});

describe('S3 (fake S3-compatible server, real AWS SDK)', () => {
  const fake = new FakeS3('attachments', 'AKIATESTBLOBS');
  beforeAll(async () => {
    await fake.start();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIATESTBLOBS');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret-key-not-real');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await fake.close();
  });
  const s3 = (bucket = 'attachments') =>
    new S3BlobStore({ bucket, endpoint: fake.origin, region: 'us-east-1', prefix: 'is/', forcePathStyle: true }, 5000);
  contract('s3', async () => s3());

  it('sends path-style requests under the prefix, with the SHA-256 as metadata and as the S3 checksum', async () => {
    const bytes = Buffer.from('hello s3');
    await s3().put('t-x/gitlab/aa/key1', bytes, { sha256: sha(bytes), media_type: 'text/plain' });
    const put = fake.requests.filter((r) => r.method === 'PUT').at(-1)!;
    expect(put.bucket).toBe('attachments');
    expect(put.key).toBe('is/t-x/gitlab/aa/key1');
    expect(put.headers['x-amz-meta-sha256']).toBe(sha(bytes));
    expect(put.headers['x-amz-checksum-sha256']).toBe(createHash('sha256').update(bytes).digest('base64'));
    expect(fake.objects.get('attachments/is/t-x/gitlab/aa/key1')!.body.equals(bytes)).toBe(true);
  });

  it('a bytes-and-hash mismatch is refused by the store (BadDigest)', async () => {
    const err = await s3().put('t-x/gitlab/aa/bad', Buffer.from('abc'), { sha256: sha(Buffer.from('abd')), media_type: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobStoreError);
    expect((err as Error).message).toBe('blob store (S3) PutObject failed: BadDigest (HTTP 400)');
    expect((err as BlobStoreError).outage).toBe(false);
    expect(fake.objects.has('attachments/is/t-x/gitlab/aa/bad')).toBe(false);
  });

  it('a missing bucket is a fault, a store that keeps answering 503 an outage; neither message carries a credential', async () => {
    const missing = await s3('nope').head('a/b').catch((e: unknown) => e);
    // HeadObject errors have no body (the docs): a bare 404 reads as "not there"; a put names the bucket error.
    expect(missing).toBeNull();
    const put = await s3('nope').put('a/b', Buffer.from('x'), { sha256: sha(Buffer.from('x')), media_type: null }).catch((e: unknown) => e);
    expect((put as Error).message).toBe('blob store (S3) PutObject failed: NoSuchBucket (HTTP 404)');
    fake.failNext = 10;
    const down = await s3().head('a/b').catch((e: unknown) => e);
    fake.failNext = 0;
    expect(down).toBeInstanceOf(BlobStoreError);
    expect((down as BlobStoreError).outage).toBe(true);
    for (const e of [put, down]) expect(String((e as Error).message)).not.toMatch(/AKIA|secret/);
  });
});
