/**
 * Request validation. Two Ajv instances: request bodies are checked strictly (no type coercion,
 * so `"batch_size": "10"` is refused), query strings and path params are coerced from text.
 * Both report every error (allErrors; bodies are capped at 1 MiB and schemas hold no costly
 * patterns) and never drop unknown fields — every schema says additionalProperties false.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { FastifySchemaCompiler } from 'fastify';
import type { ErrorDetail } from '../errors.js';

const addFormats = formatsModule.default;

const common: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  allowUnionTypes: true,
  // Schemas carry OpenAPI annotations (examples, discriminator) that strict mode rejects.
  strict: false,
};

/**
 * `format: 'timestamp'`: an RFC 3339 date-time that JavaScript and PostgreSQL both read the same
 * way. ajv's `date-time` also passes a leap second (23:59:60, which Date.parse refuses) and year
 * 0000, which reached the database as a 500/503. The year is checked on the instant in UTC, as
 * the database is given it (toISOString): `0001-01-01T00:00:00+01:00` is in year 0000 there, and
 * `9999-12-31T23:59:59-01:00` is `+010000-…`, which PostgreSQL cannot read.
 */
const dateTime = fullFormats['date-time'] as { validate: (text: string) => boolean };
export function isTimestamp(text: string): boolean {
  if (!dateTime.validate(text)) return false;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** `format: 'text'`: a string PostgreSQL can store or compare; its text type refuses NUL (U+0000). */
export const TEXT_FORMAT_MESSAGE = 'must not contain the NUL character (U+0000)';
const isText = (text: string): boolean => !text.includes('\u0000');

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes });
  addFormats(ajv);
  ajv.addFormat('timestamp', { type: 'string', validate: isTimestamp });
  ajv.addFormat('text', { type: 'string', validate: isText });
  return ajv;
}

export interface Validators {
  /** For fastify.setValidatorCompiler. */
  compiler: FastifySchemaCompiler<unknown>;
  /** Compiles a schema with the strict body rules (used for source_config). */
  compileBody(schema: object): ValidateFunction;
}

export function createValidators(): Validators {
  const body = makeAjv(false);
  const text = makeAjv(true);
  return {
    compiler: ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object),
    compileBody: (schema) => body.compile(schema),
  };
}

/** Ajv errors → the contract's details[{path, message}], paths as JSON pointers into the part. */
export function toDetails(errors: readonly Partial<ErrorObject>[]): ErrorDetail[] {
  const out = new Map<string, ErrorDetail>();
  for (const e of errors) {
    // anyOf/oneOf summaries repeat what the branch errors already said.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const params = (e.params ?? {}) as Record<string, unknown>;
    let path = e.instancePath ?? '';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path += `/${String(params.additionalProperty)}`;
      message = 'unknown field';
    } else if (e.keyword === 'required') {
      path += `/${String(params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of: ${params.allowedValues.join(', ')}`;
    } else if (e.keyword === 'format' && params.format === 'text') {
      message = TEXT_FORMAT_MESSAGE;
    }
    const detail = { path: path || '/', message };
    out.set(`${detail.path}\n${detail.message}`, detail);
  }
  return [...out.values()];
}
