/** The blob store the config names: an S3-compatible bucket when BLOB_S3_BUCKET is set, else BLOB_DIR. */
import type { BlobConfig } from '../config.js';
import { LocalBlobStore } from './local.js';
import { S3BlobStore } from './s3.js';
import type { BlobStore } from './types.js';

export async function openBlobStore(cfg: BlobConfig, timeoutMs: number): Promise<BlobStore> {
  return cfg.s3 ? new S3BlobStore(cfg.s3, timeoutMs) : LocalBlobStore.open(cfg.dir);
}
