/**
 * POST-time refusal (CONTRACT §6) in the default mode, for each of the four real connectors: a
 * base_url that is http, a literal IP in a forbidden range in any spelling, or a localhost name is
 * a 422 SOURCE_URL_FORBIDDEN, and no job, credential or queue entry is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { healthProbe } from '../../src/http/health-probe.js';
import { startHarness, type Harness } from '../support/harness.js';
import { dumpValues } from '../support/redis.js';
import { CONNECTORS } from './env.js';

let h: Harness;
let app: FastifyInstance;
beforeAll(async () => {
  h = await startHarness({ connectors: CONNECTORS, worker: false });
  app = await buildApp({
    jobs: h.deps.jobs, items: h.deps.store, health: healthProbe(h.deps.redis, h.deps.store), connectors: CONNECTORS,
    apiKeys: null, version: '0.0.0-security', environment: 'test', logger: pino({ level: 'silent' }), policy: h.deps.policy.api,
  });
});
afterAll(async () => {
  await app?.close();
  await h?.cleanup();
});

const bodyFor = (source: string, base_url: string) => {
  const config: Record<string, Record<string, unknown>> = {
    jira: { email: 'a@example.com', api_token: 'tok-123456', project_key: 'TEST' },
    servicenow: { username: 'u', password: 'pw-123456' },
    github: { token: 'ghp_123456', owner: 'o', repo: 'r' },
    gitlab: { token: 'glpat-123456', project_id: 7 },
  };
  return { source_type: source, source_config: { base_url, ...config[source] } };
};

const FORBIDDEN = [
  'http://jira.example.com',
  'https://127.0.0.1',
  'https://2130706433',
  'https://0x7f.1',
  'https://0177.0.0.1:8443',
  'https://10.0.0.5/jira',
  'https://172.16.3.4',
  'https://192.168.1.10',
  'https://169.254.169.254/latest/meta-data',
  'https://100.100.100.200',
  'https://168.63.129.16',
  'https://192.0.0.192',
  'https://0.0.0.0',
  'https://[::1]',
  'https://[::ffff:169.254.169.254]',
  'https://[fd00:ec2::254]',
  'https://[fe80::1]',
  'https://localhost',
  'https://LOCALHOST.',
  'https://jira.localhost',
];

describe('POST /api/imports refuses forbidden base_urls in the default mode', () => {
  it.each(['jira', 'servicenow', 'github', 'gitlab'])('%s: every forbidden form is a 422 SOURCE_URL_FORBIDDEN, nothing written', async (source) => {
    const before = await dumpValues(h.deps.redis, h.prefix);
    for (const url of FORBIDDEN) {
      const res = await app.inject({ method: 'POST', url: '/api/imports', payload: bodyFor(source, url) });
      expect([url, res.statusCode, res.json().error_code]).toEqual([url, 422, 'SOURCE_URL_FORBIDDEN']);
      expect(res.json().details[0].path).toBe('/source_config/base_url');
    }
    expect(await dumpValues(h.deps.redis, h.prefix)).toBe(before);
  });

  it('GitLab: a pasted /api/v4 suffix and surrounding spaces do not hide a private host', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/imports', payload: bodyFor('gitlab', ' https://10.1.2.3/api/v4 ') });
    expect([res.statusCode, res.json().error_code]).toEqual([422, 'SOURCE_URL_FORBIDDEN']);
  });

  it('a public https base_url is accepted (the refusals above are not blanket ones)', async () => {
    for (const source of ['jira', 'servicenow', 'github', 'gitlab']) {
      const res = await app.inject({ method: 'POST', url: '/api/imports', payload: bodyFor(source, 'https://source.example.com') });
      expect([source, res.statusCode]).toEqual([source, 202]);
    }
  });
});
