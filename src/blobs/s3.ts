/**
 * An S3-compatible bucket as the blob store (BLOB_S3_BUCKET), through the AWS SDK. Credentials come
 * from the SDK's standard chain (environment, profile, instance or task role) and never pass through
 * this service's config. PutObject replaces an object whole, so a reader never sees a part of one;
 * the SHA-256 goes with it both as user metadata (read back by HeadObject) and as the S3 checksum
 * header, so the store itself refuses bytes damaged on the way.
 */
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3BlobConfig } from '../config.js';
import { assertSafeKey, BlobStoreError, type BlobInfo, type BlobStore } from './types.js';

export class S3BlobStore implements BlobStore {
  readonly describe: string;
  private readonly client: S3Client;

  /** `timeoutMs`: one attempt of one call, connect to last byte (the SDK retries a failed one itself). */
  constructor(private readonly cfg: S3BlobConfig, timeoutMs: number) {
    this.describe = `s3 ${cfg.bucket}/${cfg.prefix}`;
    this.client = new S3Client({
      region: cfg.region,
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      forcePathStyle: cfg.forcePathStyle,
      // Checksums only where an operation requires them: many S3-compatible stores refuse the
      // SDK's default CRC32 trailers. Our own SHA-256 is sent explicitly on every put.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
  }

  async head(key: string): Promise<BlobInfo | null> {
    const Key = this.keyOf(key);
    return guard('HeadObject', async () => {
      try {
        const res = await this.client.send(new HeadObjectCommand({ Bucket: this.cfg.bucket, Key }));
        const sha256 = res.Metadata?.sha256;
        // An object put by something else (no hash of ours) is not taken as ours.
        if (!sha256 || typeof res.ContentLength !== 'number') return null;
        return { size: res.ContentLength, sha256, media_type: res.ContentType ?? null };
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    });
  }

  async put(key: string, bytes: Buffer, m: { sha256: string; media_type: string | null }): Promise<void> {
    const Key = this.keyOf(key);
    await guard('PutObject', () =>
      this.client.send(new PutObjectCommand({
        Bucket: this.cfg.bucket, Key, Body: bytes, ContentLength: bytes.length,
        ContentType: m.media_type ?? 'application/octet-stream',
        ChecksumSHA256: Buffer.from(m.sha256, 'hex').toString('base64'),
        Metadata: { sha256: m.sha256 },
      })),
    );
  }

  async get(key: string): Promise<{ info: BlobInfo; body: Readable } | null> {
    const Key = this.keyOf(key);
    return guard('GetObject', async () => {
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.cfg.bucket, Key }));
        const sha256 = res.Metadata?.sha256;
        const body = res.Body as Readable | undefined;
        if (!sha256 || !body || typeof res.ContentLength !== 'number') {
          body?.destroy();
          return null;
        }
        return { info: { size: res.ContentLength, sha256, media_type: res.ContentType ?? null }, body };
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    const Key = this.keyOf(key);
    await guard('DeleteObject', () => this.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucket, Key })));
  }

  private keyOf(key: string): string {
    assertSafeKey(key);
    return this.cfg.prefix + key;
  }
}

const statusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * SDK failures (after its own retries) as BlobStoreError: the S3 error code and status only (the
 * SDK's messages may quote request details). A 5xx, a throttle or a network fault is an outage.
 */
async function guard<T>(op: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof BlobStoreError) throw err;
    const status = statusOf(err);
    if (err instanceof S3ServiceException) {
      const outage = (status ?? 500) >= 500 || status === 429 || err.name === 'SlowDown';
      throw new BlobStoreError(`blob store (S3) ${op} failed: ${err.name}${status ? ` (HTTP ${status})` : ''}`, outage);
    }
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'error';
    // No credentials in the SDK's chain will not mend by waiting.
    throw new BlobStoreError(`blob store (S3) ${op} failed: ${code}`, code !== 'CredentialsProviderError');
  }
}
