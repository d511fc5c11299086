/** POST /api/imports body validation: 422 VALIDATION_ERROR with every problem listed by path. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { githubModule } from '../../src/connectors/github/index.js';
import type { AppDeps } from '../../src/http/deps.js';
import { httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let app: FastifyInstance;
let jobKeysBefore: number;

beforeAll(async () => {
  env = await httpEnv();
  app = await env.app();
  jobKeysBefore = (await env.harness.deps.redis.keys(`${env.harness.prefix}*`)).length;
});
afterAll(async () => env.cleanup());

async function invalid(body: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/api/imports', payload: body as object, headers });
  expect(res.statusCode).toBe(422);
  const json = res.json();
  expect(json).toMatchObject({ error_code: 'VALIDATION_ERROR', request_id: res.headers['x-request-id'] });
  return json.details as { path: string; message: string }[];
}

const paths = (details: { path: string }[]) => details.map((d) => d.path).sort();

describe('unknown fields are refused at every level', () => {
  it('top level', async () => {
    expect(await invalid(importBody({}, { tenant: 'x' }))).toEqual([{ path: '/tenant', message: 'unknown field' }]);
  });
  it('source_config', async () => {
    expect(await invalid(importBody({ api_tokn: 'x' }))).toEqual([{ path: '/source_config/api_tokn', message: 'unknown field' }]);
  });
  it('options', async () => {
    expect(await invalid(importBody({}, { options: { batchsize: 5 } }))).toEqual([
      { path: '/options/batchsize', message: 'unknown field' },
    ]);
  });
  it('all three at once, in one response', async () => {
    const details = await invalid(importBody({ api_tokn: 'x' }, { extra: 1, options: { nope: true } }));
    expect(paths(details)).toEqual(['/extra', '/options/nope', '/source_config/api_tokn']);
  });
});

describe('values', () => {
  it.each([0, 1001, 2.5, '10'])('batch_size %j', async (batch_size) => {
    expect(paths(await invalid(importBody({}, { options: { batch_size } })))).toEqual(['/options/batch_size']);
  });

  it('every envelope problem is reported', async () => {
    const details = await invalid({
      source_type: 'bitbucket',
      source_config: 'x',
      options: { mode: 'sometimes', since: 'yesterday', include_comments: 'yes', dry_run: 1 },
      callback_url: 'hooks.example.com/x',
      correlation_id: '',
    });
    expect(paths(details)).toEqual([
      '/callback_url',
      '/correlation_id',
      '/options/dry_run',
      '/options/include_comments',
      '/options/mode',
      '/options/since',
      '/source_config',
      '/source_type',
    ]);
    expect(details.find((d) => d.path === '/source_type')?.message).toBe('must be one of: jira, servicenow, github, gitlab');
  });

  it('missing required fields, top and source_config', async () => {
    expect(paths(await invalid({ source_type: 'jira' }))).toEqual(['/source_config']);
    expect(paths(await invalid({ source_config: {} }))).toEqual(['/source_type']);
    expect(paths(await invalid({ source_type: 'jira', source_config: { scope: 'X' } }))).toEqual([
      '/source_config/base_url',
      '/source_config/count',
    ]);
  });

  it("a connector's cross-field rule comes back with its source_config path", async () => {
    expect(await invalid(importBody({ password: 'p' }))).toEqual([
      { path: '/source_config/username', message: 'is required with password' },
    ]);
  });

  it('a body that is not an object', async () => {
    expect(paths(await invalid([1, 2]))).toEqual(['/']);
  });

  it('Idempotency-Key longer than 255 characters', async () => {
    expect(paths(await invalid(importBody(), { 'idempotency-key': 'k'.repeat(256) }))).toEqual(['idempotency-key']);
  });

  it('refused requests leave Redis unchanged', async () => {
    expect((await env.harness.deps.redis.keys(`${env.harness.prefix}*`)).length).toBe(jobKeysBefore);
  });
});

describe('with the real GitHub connector schema', () => {
  it('names a mistyped field and a bad owner', async () => {
    const connectors = { ...env.deps.connectors, github: githubModule } as AppDeps['connectors'];
    const gh = await env.app({ connectors });
    const res = await gh.inject({
      method: 'POST',
      url: '/api/imports',
      payload: { source_type: 'github', source_config: { owner: 'bad owner!', repo: 'r', api_tokn: 'x' } },
    });
    expect(res.statusCode).toBe(422);
    expect(paths(res.json().details)).toEqual(['/source_config/api_tokn', '/source_config/owner']);
  });
});
