/** The blob store and attachment cap variables (issue 12). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openBlobStore, withDeploymentCaps } from '../../src/blobs/open.js';
import { DEFAULT_POLICY } from '../../src/policy.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'is-blobcfg-'));

describe('blob store configuration', () => {
  it('defaults to DATA_DIR/blobs and the policy caps', () => {
    const dir = dataDir();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.blobs).toEqual({ dir: join(dir, 'blobs'), s3: null });
    expect(c.attachmentCaps).toEqual({ maxFileBytes: null, maxItemBytes: null, maxJobBytes: null });
    expect(withDeploymentCaps(DEFAULT_POLICY, c.attachmentCaps).attachments).toEqual(DEFAULT_POLICY.attachments);
  });

  it('reads a bucket with endpoint (path style by default), region and prefix; caps in MiB replace the policy\'s', () => {
    const c = loadConfig({
      DATA_DIR: dataDir(), BLOB_DIR: '/srv/blobs', BLOB_S3_BUCKET: 'att', BLOB_S3_ENDPOINT: 'http://minio:9000', BLOB_S3_PREFIX: '/is/prod/',
      ATTACHMENT_MAX_FILE_MB: '5', ATTACHMENT_MAX_JOB_MB: '100',
    });
    expect(c.blobs).toEqual({ dir: '/srv/blobs', s3: { bucket: 'att', endpoint: 'http://minio:9000', region: 'us-east-1', prefix: 'is/prod/', forcePathStyle: true } });
    const caps = withDeploymentCaps(DEFAULT_POLICY, c.attachmentCaps).attachments;
    expect(caps).toMatchObject({ maxFileBytes: 5 * 1024 * 1024, maxItemBytes: DEFAULT_POLICY.attachments.maxItemBytes, maxJobBytes: 100 * 1024 * 1024 });
    expect(loadConfig({ DATA_DIR: dataDir(), BLOB_S3_BUCKET: 'att', AWS_REGION: 'eu-west-1' }).blobs.s3).toMatchObject({ endpoint: null, region: 'eu-west-1', prefix: '', forcePathStyle: false });
  });

  it.each([
    ['BLOB_S3_ENDPOINT', 'https://key:secret@minio.example'],
    ['BLOB_S3_ENDPOINT', 'ftp://minio'],
    ['BLOB_S3_PREFIX', 'a/../b'],
    ['BLOB_S3_REGION', 'EU West'],
    ['BLOB_S3_FORCE_PATH_STYLE', 'maybe'],
    ['ATTACHMENT_MAX_FILE_MB', '-3'],
    ['ATTACHMENT_MAX_JOB_MB', 'lots'],
  ])('refuses %s=%s naming the variable, never the value', (name, value) => {
    const err = (() => {
      try {
        loadConfig({ DATA_DIR: dataDir(), BLOB_S3_BUCKET: 'att', [name]: value });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toContain(name);
    expect(err?.message).not.toContain(value);
  });

  it('opens the store the config names', async () => {
    const dir = dataDir();
    expect((await openBlobStore(loadConfig({ DATA_DIR: dir }).blobs, 1000)).describe).toBe(`local ${join(dir, 'blobs')}`);
    const s3 = loadConfig({ DATA_DIR: dir, BLOB_S3_BUCKET: 'att', BLOB_S3_ENDPOINT: 'http://127.0.0.1:9', BLOB_S3_PREFIX: 'is' }).blobs;
    expect((await openBlobStore(s3, 1000)).describe).toBe('s3 att/is/');
  });

  it('ships caps that nest (file ≤ item ≤ job) and bound what a job holds in memory', () => {
    const a = DEFAULT_POLICY.attachments;
    expect(a.maxFileBytes).toBeLessThanOrEqual(a.maxItemBytes);
    expect(a.maxItemBytes).toBeLessThanOrEqual(a.maxJobBytes);
    expect(a.maxFileBytes * a.concurrency).toBeLessThanOrEqual(256 * 1024 * 1024);
  });
});
