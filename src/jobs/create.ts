/**
 * POST /api/imports behind the HTTP layer: cross-field and URL checks, credentials sealed,
 * record written with its indexes and idempotency key in one script, then enqueued.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { AppError, type ErrorDetail } from '../errors.js';
import { checkBaseUrl } from '../outbound/ssrf.js';
import type { ConnectorModule, SourceType } from '../connectors/connector.js';
import { encryptSecrets, subkey } from './credentials.js';
import type { AllowedHosts } from '../outbound/allowed-hosts.js';
import type { CreateImportInput, ImportOptions, JobRecord } from './types.js';
import type { ImportJobData } from './queue.js';

export interface CreateDeps {
  connectors: Record<SourceType, ConnectorModule>;
  credentialsKey: Buffer;
  allowPrivateNetworks: boolean;
  allowedHosts?: AllowedHosts;
  webhookSecret: string | null;
  /** TENANT_MAX_QUEUED: a tenant's pending jobs beyond which a POST is refused (0 = no limit). */
  tenantMaxQueued: number;
}

export const DEFAULT_OPTIONS: ImportOptions = { mode: 'full', batch_size: 100, include_comments: true, dry_run: false, include_history: true, download_attachments: false };

export function emptyProgress(): JobRecord['progress'] {
  return {
    total_items: 0, processed_items: 0, successful_items: 0, failed_items: 0, skipped_items: 0, partial_items: 0,
    percentage: 0.0, estimated_time_remaining: null, current_batch: 0, total_batches: 0,
  };
}

export interface PreparedJob {
  record: JobRecord;
  sealed: string;
  data: ImportJobData;
  /** kept in the callback outbox, not in the queue's job data, which no longer needs it */
  callbackUrl: string | null;
}

/** A source_config checked as for POST /api/imports, split into its public part and its secrets. */
export interface CheckedSource {
  sourceType: SourceType;
  base_url: string;
  scope: string;
  sourceInstance: string;
  /** source_config without its secret fields */
  publicConfig: Record<string, unknown>;
  /** the secret fields, to be sealed */
  secrets: Record<string, unknown>;
  callbackUrl: string | null;
}

/**
 * What JSON schema cannot check: the connector's cross-field rules, control characters in secrets,
 * the base_url and callback_url rules (SSRF). Shared by imports and syncs (src/syncs/), which
 * save the same source for later runs.
 */
export function checkSource(
  deps: CreateDeps,
  input: Pick<CreateImportInput, 'source_type' | 'source_config' | 'callback_url'>,
): CheckedSource {
  const module = deps.connectors[input.source_type];
  if (!module) throw new AppError('VALIDATION_ERROR', 'unknown source_type', [{ path: '/source_type', message: 'unsupported source type' }]);
  const config = input.source_config;
  const details: ErrorDetail[] = (module.validate?.(config) ?? []).map((d) => ({ ...d, path: `/source_config${d.path}` }));
  if (details.length) throw new AppError('VALIDATION_ERROR', 'source_config is invalid', details);

  checkSecrets(config, module.secretFields);
  const described = module.describe(config);
  checkUrl(described.base_url, '/source_config/base_url', deps.allowPrivateNetworks, deps.allowedHosts);
  checkNoQuery(described.base_url);
  const callback = input.callback_url ?? null;
  if (callback) {
    if (!deps.webhookSecret) {
      throw new AppError('VALIDATION_ERROR', 'callback_url needs WEBHOOK_SECRET to be configured on the service', [
        { path: '/callback_url', message: 'completion callbacks are disabled (WEBHOOK_SECRET unset)' },
      ]);
    }
    checkUrl(callback, '/callback_url', deps.allowPrivateNetworks, deps.allowedHosts);
  }
  const secrets: Record<string, unknown> = {};
  const publicConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (module.secretFields.includes(k) ? secrets : publicConfig)[k] = v;
  return {
    sourceType: input.source_type, base_url: described.base_url, scope: described.scope,
    sourceInstance: new URL(described.base_url).host, publicConfig, secrets, callbackUrl: callback,
  };
}

/** Validates what JSON schema cannot and builds the record, the sealed credentials and job.data. */
export function prepareJob(
  deps: CreateDeps,
  input: CreateImportInput,
  ctx: { tenantId: string | null; requestId: string; correlationId: string | null },
): PreparedJob {
  const source = checkSource(deps, input);
  if (input.options?.since !== undefined && Number.isNaN(Date.parse(input.options.since))) {
    throw new AppError('VALIDATION_ERROR', 'options.since is not a date', [{ path: '/options/since', message: 'must be an ISO-8601 date-time' }]);
  }
  return buildJob(deps.credentialsKey, source, {
    options: { ...DEFAULT_OPTIONS, ...input.options }, tenantId: ctx.tenantId ?? input.tenant_id ?? null,
    requestId: ctx.requestId, correlationId: input.correlation_id ?? ctx.correlationId ?? null,
  });
}

/** A new pending job of a checked source: its record, its credentials sealed for it alone, its job.data. */
export function buildJob(
  credentialsKey: Buffer,
  source: CheckedSource,
  run: { options: ImportOptions; tenantId: string | null; requestId: string; correlationId: string | null; syncId?: string },
): PreparedJob {
  const jobId = randomUUID();
  const now = new Date().toISOString();
  const tenant = run.tenantId;
  const record: JobRecord = {
    job_id: jobId, request_id: run.requestId, status: 'pending', source_type: source.sourceType,
    source: { base_url: source.base_url, scope: source.scope },
    created_at: now, updated_at: now, started_at: null, completed_at: null,
    progress: emptyProgress(), imported_items: [], error_code: null, error_message: null,
    tenant_id: tenant, correlation_id: run.correlationId,
    ...(run.syncId !== undefined && { sync_id: run.syncId }),
  };
  return {
    record,
    sealed: Object.keys(source.secrets).length
      ? encryptSecrets(credentialsKey, { jobId, tenantId: tenant, sourceType: source.sourceType, baseUrl: source.base_url }, source.secrets)
      : '',
    data: {
      job_id: jobId, source_type: source.sourceType, config: source.publicConfig, options: run.options, tenant_id: tenant,
      source_instance: source.sourceInstance, scope: source.scope,
      ...(run.syncId !== undefined && { sync_id: run.syncId }),
    },
    callbackUrl: source.callbackUrl,
  };
}

/** The base_url rules, for base_url and callback_url alike; the message names the field checked. */
function checkUrl(url: string, path: string, allowPrivate: boolean, allowed?: AllowedHosts): void {
  const verdict = checkBaseUrl(url, allowPrivate, allowed);
  if (verdict.ok) return;
  const message = verdict.message.replace(/^base_url\b/, path.slice(path.lastIndexOf('/') + 1));
  throw new AppError(verdict.code, message, [{ path, message }]);
}

/** A credential pasted with a line break or other control character would only fail later, as a network error. */
function checkSecrets(config: Record<string, unknown>, secretFields: readonly string[]): void {
  const details = secretFields
    .filter((f) => typeof config[f] === 'string' && /[\u0000-\u001f\u007f]/.test(config[f] as string))
    .map((f) => ({ path: `/source_config/${f}`, message: 'must not contain line breaks or other control characters' }));
  if (details.length) throw new AppError('VALIDATION_ERROR', 'source_config is invalid', details);
}

/** A query or fragment on base_url would be stored and shown in clear (a `?token=` there is a leak). */
function checkNoQuery(url: string): void {
  const parsed = new URL(url);
  if (parsed.search || parsed.hash) {
    const message = 'base_url must not carry a query string or fragment; credentials go in their own fields';
    throw new AppError('VALIDATION_ERROR', message, [{ path: '/source_config/base_url', message }]);
  }
}

/**
 * Same Idempotency-Key + same body = replay; the body hash ignores key order. Keyed with a
 * subkey of CREDENTIALS_KEY: the body holds credentials, and a bare hash in Redis would let
 * whoever reads Redis test password guesses offline.
 */
export function idempotencyHashes(master: Buffer, key: string, input: CreateImportInput): { keyHash: string; bodyHash: string } {
  const secret = subkey(master, 'idempotency');
  const mac = (s: string) => createHmac('sha256', secret).update(s).digest('hex');
  return { keyHash: mac(`key\u0000${key}`), bodyHash: mac(`body\u0000${canonicalJson(input)}`) };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
