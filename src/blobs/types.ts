/**
 * Where attachment content lives (issue 12): a local directory by default, an S3-compatible bucket
 * when configured. Keys are made by src/blobs/keys.ts and checked by every store before use, so a
 * hostile attachment name or id can never name a path outside the store.
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
  /** hex SHA-256 of the bytes, as checked when they were stored */
  sha256: string;
  media_type: string | null;
}

export interface BlobStore {
  /** What `put` stored under this key, or null when nothing complete is there. */
  head(key: string): Promise<BlobInfo | null>;
  /** Stores the bytes whole or not at all (a reader never sees a part); replaces what was there. */
  put(key: string, bytes: Buffer, meta: { sha256: string; media_type: string | null }): Promise<void>;
  /** The bytes as a stream, or null when the key holds nothing. */
  get(key: string): Promise<{ info: BlobInfo; body: Readable } | null>;
  /** Removes the key (nothing there is not an error). */
  delete(key: string): Promise<void>;
  /** For logs and /health-like reports: "local /var/lib/…/blobs" or "s3 bucket/prefix" (never a credential). */
  readonly describe: string;
}

/**
 * The blob store failed (disk, bucket): `outage` when trying again later may help (network, 5xx),
 * else a fault of the deployment (permissions, no such bucket, disk full).
 */
export class BlobStoreError extends Error {
  constructor(message: string, readonly outage: boolean) {
    super(message);
    this.name = 'BlobStoreError';
  }
}

/** Segments of [A-Za-z0-9._-], none '.' or '..', no leading '/': safe as a relative path and as an S3 key. */
const SAFE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$/;

/** Throws on a key no store should accept: the last guard against path traversal. */
export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((s) => s === '.' || s === '..')) throw new Error('blob key refused: not a safe relative key');
}
