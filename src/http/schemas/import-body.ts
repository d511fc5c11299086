/**
 * POST /api/imports body. The documented schema is a oneOf of one envelope per source_type
 * (each with that connector's own source_config schema). Validating that oneOf directly gives
 * unreadable errors, so validation runs in two steps over the same pieces: the envelope with
 * any source_config object, then source_config against the chosen connector's schema and its
 * cross-field rules — errors name paths such as /source_config/api_tokn.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { ErrorObject } from 'ajv';
import { SOURCE_TYPES, type ConnectorModule, type SourceType } from '../../connectors/connector.js';
import { StringEnum } from './common.js';
import { DepthOptions } from './depth-options.js';
import { SourceTypeSchema } from './job.js';

export const ImportOptionsSchema = Type.Object(
  {
    mode: Type.Optional(StringEnum(['full', 'incremental'] as const, { default: 'full' })),
    since: Type.Optional(Type.String({ format: 'timestamp', description: 'incremental starting point, set by hand (RFC 3339 date-time)' })),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    include_comments: Type.Optional(Type.Boolean({ default: true })),
    dry_run: Type.Optional(Type.Boolean({ default: false, description: 'count and check access; store nothing' })),
    ...DepthOptions,
  },
  { additionalProperties: false },
);

function envelope<S extends TSchema, C extends TSchema>(sourceType: S, sourceConfig: C) {
  return Type.Object(
    {
      source_type: sourceType,
      source_config: sourceConfig,
      options: Type.Optional(ImportOptionsSchema),
      tenant_id: Type.Optional(
        Type.String({ minLength: 1, maxLength: 128, format: 'text', description: 'taken from the API key when keys are on' }),
      ),
      callback_url: Type.Optional(
        Type.String({
          format: 'uri',
          maxLength: 2048,
          description: 'https URL (http only with SOURCE_ALLOW_PRIVATE_NETWORKS, as for base_url): the job JSON is POSTed here, signed, on a terminal status',
        }),
      ),
      correlation_id: Type.Optional(
        Type.String({ minLength: 1, maxLength: 255, description: 'else the X-Correlation-ID header, else null' }),
      ),
    },
    { additionalProperties: false },
  );
}

/** Step one of validation: everything but the connector-specific source_config fields. */
export const ImportEnvelope = envelope(SourceTypeSchema, Type.Record(Type.String(), Type.Unknown()));
export type ImportBody = Static<typeof ImportEnvelope>;

/** The body schema shown in OpenAPI, built from the connectors' configSchemas. */
export function documentedImportBody(connectors: Record<SourceType, ConnectorModule>) {
  return Type.Unsafe<ImportBody>({
    oneOf: SOURCE_TYPES.map((st) =>
      envelope(Type.Literal(st), connectors[st].configSchema),
    ),
    discriminator: { propertyName: 'source_type' },
  });
}

type Check = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
type Result = { value: unknown } | { error: ErrorObject[] };

/**
 * The two-step validator; `compile` must be the strict body compiler. `envelopeSchema`: the body
 * with any source_config object (imports by default; syncs pass theirs).
 */
export function importBodyValidator(
  connectors: Record<SourceType, ConnectorModule>,
  compile: (schema: object) => Check,
  envelopeSchema: TSchema = ImportEnvelope,
): (data: unknown) => Result {
  const checkEnvelope = compile(envelopeSchema);
  const checkConfig = new Map(SOURCE_TYPES.map((st) => [st, compile(connectors[st].configSchema)] as const));
  return (data) => {
    const errors: ErrorObject[] = checkEnvelope(data) ? [] : [...(checkEnvelope.errors ?? [])];
    const body = data as Partial<ImportBody> | null;
    const st = body?.source_type as SourceType | undefined;
    const config = body?.source_config;
    const checkSource = st ? checkConfig.get(st) : undefined;
    if (checkSource && config && typeof config === 'object' && !Array.isArray(config)) {
      if (!checkSource(config)) {
        for (const e of checkSource.errors ?? []) errors.push({ ...e, instancePath: `/source_config${e.instancePath}` });
      } else {
        for (const d of connectors[st!].validate?.(config) ?? []) {
          errors.push({
            keyword: 'rule',
            instancePath: `/source_config${relativePath(d.path)}`,
            schemaPath: '',
            params: {},
            message: d.message,
          });
        }
      }
    }
    return errors.length ? { error: errors } : { value: data };
  };
}

/** A connector rule's path relative to source_config, whatever the style it was written in. */
function relativePath(path: string): string {
  const bare = path.replace(/^\/?source_config(?=$|[./])/, '').replace(/^[./]/, '');
  return bare ? `/${bare.split('.').join('/')}` : '';
}
