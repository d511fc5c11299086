/** scripts/verify.ts against a listening app on the real jobs core. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, type VerifyOptions } from '../../scripts/verify.js';
import { TEST_REDIS_URL } from '../support/redis.js';
import { SECRET, httpEnv, importBody, type HttpEnv } from './support.js';

let env: HttpEnv;
let opts: VerifyOptions;
let keyedUrl: string;

beforeAll(async () => {
  env = await httpEnv();
  const app = await env.app();
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  opts = {
    baseUrl,
    redisUrl: TEST_REDIS_URL,
    jobTtl: 86400,
    keyPrefix: env.harness.prefix,
    apiKey: null,
    body: importBody({ token: SECRET }),
    secret: SECRET,
  };
  const keyed = await env.app({ apiKeys: new Map([['verify-key-0123456789abcdef', 'acme']]) });
  keyedUrl = await keyed.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => env.cleanup());

describe('npm run verify', () => {
  it('passes every step against a healthy service', async () => {
    const lines: string[] = [];
    expect(await runVerify(opts, (l) => lines.push(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('PASS'))).toHaveLength(5);
    expect(lines.at(-1)).toBe('verify: all steps passed');
  });

  it('fails with a clear line when the TTL is not what the service should use', async () => {
    const lines: string[] = [];
    expect(await runVerify({ ...opts, jobTtl: 3600 }, (l) => lines.push(l))).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL {2}redis ttl: TTL is \d+, expected close to 3600$/));
  });

  it('fails every step that needs a job when the create is refused', async () => {
    const lines: string[] = [];
    expect(await runVerify({ ...opts, body: { source_type: 'nope' } }, (l) => lines.push(l))).toBe(false);
    expect(lines.filter((l) => l.startsWith('FAIL'))).toHaveLength(4);
    expect(lines[1]).toMatch(/^FAIL {2}create job: POST \/api\/imports answered 422/);
  });

  it('says to set API_KEY when the service wants a key, and passes with it', async () => {
    const lines: string[] = [];
    expect(await runVerify({ ...opts, baseUrl: keyedUrl }, (l) => lines.push(l))).toBe(false);
    expect(lines[1]).toMatch(/^FAIL {2}create job: POST \/api\/imports answered 401 .*; the service has API_KEYS: set API_KEY$/);
    expect(await runVerify({ ...opts, baseUrl: keyedUrl, apiKey: 'verify-key-0123456789abcdef' }, () => undefined)).toBe(true);
  });
});
