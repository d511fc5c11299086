/** The blob store the config names: an S3-compatible bucket when BLOB_S3_BUCKET is set, else BLOB_DIR. */
import type { BlobConfig, Config } from '../config.js';
import type { Policy } from '../policy.js';
import { LocalBlobStore } from './local.js';
import type { BlobStore } from './types.js';

export async function openBlobStore(cfg: BlobConfig, timeoutMs: number): Promise<BlobStore> {
  if (!cfg.s3) return LocalBlobStore.open(cfg.dir);
  // The AWS SDK is loaded only by a deployment that uses a bucket (it adds to every start-up otherwise).
  const { S3BlobStore } = await import('./s3.js');
  return new S3BlobStore(cfg.s3, timeoutMs);
}

/** The policy with this deployment's attachment caps (ATTACHMENT_MAX_*_MB) where set. */
export function withDeploymentCaps(policy: Policy, caps: Config['attachmentCaps']): Policy {
  const a = policy.attachments;
  return {
    ...policy,
    attachments: { ...a, maxFileBytes: caps.maxFileBytes ?? a.maxFileBytes, maxItemBytes: caps.maxItemBytes ?? a.maxItemBytes, maxJobBytes: caps.maxJobBytes ?? a.maxJobBytes },
  };
}
