/** Encoded-query building, the resume cursor and the rate-limit / error readings. */
import { describe, expect, it } from 'vitest';
import { buildQuery, conditions, queryGroups } from '../../../src/connectors/servicenow/query.js';
import { decodeCursor, encodeCursor } from '../../../src/connectors/servicenow/cursor.js';
import { classify, rateLimit } from '../../../src/connectors/servicenow/signals.js';
import { describeServiceNow, validateServiceNowConfig } from '../../../src/connectors/servicenow/config.js';
import { compareRows, matches, parseQuery } from '../../../src/sandbox/fakes/servicenow-query.js';

describe('queryGroups / buildQuery', () => {
  it('drops ordering terms and splits ^NQ groups', () => {
    expect(queryGroups('active=true^ORDERBYDESCnumber^EQ')).toEqual(['active=true']);
    expect(queryGroups('priority=1^NQcategory=network^ORDERBYnumber')).toEqual(['priority=1', 'category=network']);
    expect(queryGroups('  ')).toEqual(['']);
    expect(queryGroups('ORDERBYnumber')).toEqual(['']);
  });

  it('repeats every user group in both keyset branches', () => {
    expect(buildQuery(['priority=1', 'category=network'], ['sys_updated_on>=2024-01-01 00:00:00'], ['2024-01-01 00:00:05', 'abc'])).toBe(
      'priority=1^sys_updated_on>=2024-01-01 00:00:00^sys_created_on>2024-01-01 00:00:05' +
        '^NQpriority=1^sys_updated_on>=2024-01-01 00:00:00^sys_created_on=2024-01-01 00:00:05^sys_id>=abc^sys_id!=abc' +
        '^NQcategory=network^sys_updated_on>=2024-01-01 00:00:00^sys_created_on>2024-01-01 00:00:05' +
        '^NQcategory=network^sys_updated_on>=2024-01-01 00:00:00^sys_created_on=2024-01-01 00:00:05^sys_id>=abc^sys_id!=abc' +
        '^ORDERBYsys_created_on^ORDERBYsys_id',
    );
    expect(buildQuery([''], [], null)).toBe('ORDERBYsys_created_on^ORDERBYsys_id');
    expect(conditions([''], [])).toBe('');
  });

  it('selects exactly the rows after the key, in key order, when evaluated as encoded query', () => {
    const rows = ['b', 'a', 'c', 'd'].flatMap((id, i) => [
      { sys_id: `${id}1`, sys_created_on: `2024-01-01 00:00:0${i % 2}`, priority: String(i % 3) },
      { sys_id: `${id}2`, sys_created_on: `2024-01-01 00:00:0${i % 2}`, priority: '1' },
    ]);
    const fields = new Set(['sys_id', 'sys_created_on', 'priority']);
    const q = parseQuery(buildQuery(['priority=1', 'priority=0'], [], ['2024-01-01 00:00:00', 'b2']), fields, new Set(['sys_created_on']));
    const got = rows.filter((r) => matches(q, r)).sort(compareRows(q)).map((r) => r.sys_id);
    expect(got).toEqual(['c2', 'a1', 'a2', 'd1', 'd2']); // c1 has priority 2; b1, b2 are not after the key
  });
});

describe('cursor', () => {
  it('round-trips and refuses damaged cursors', () => {
    const c = encodeCursor({ state: { after: ['2024-01-01 00:00:00', 'abc'], offset: 200 }, delivered: 150 });
    expect(decodeCursor(c)).toEqual({ state: { after: ['2024-01-01 00:00:00', 'abc'], offset: 200 }, delivered: 150 });
    expect(decodeCursor(null)).toEqual({ state: { after: null, offset: 0 }, delivered: 0 });
    for (const bad of ['{', '{"v":2}', '{"v":1,"after":["x"],"offset":0,"delivered":0}', '{"v":1,"after":null,"offset":-1,"delivered":0}']) {
      expect(() => decodeCursor(bad)).toThrow(/cursor/);
    }
  });
});

describe('rateLimit', () => {
  const res = (status: number, headers: Record<string, string>) => ({ status, headers, body: '', url: '' });
  const now = 1_700_000_000_000;
  it('waits Retry-After seconds on 429, else until X-RateLimit-Reset (epoch seconds)', () => {
    expect(rateLimit(res(429, { 'retry-after': '30', 'x-ratelimit-reset': '1700009999' }), now)).toEqual({ limited: true, pauseUntil: now + 30_000 });
    expect(rateLimit(res(429, { 'x-ratelimit-reset': '1700000120' }), now)).toEqual({ limited: true, pauseUntil: 1_700_000_120_000 });
    expect(rateLimit(res(429, {}), now)).toEqual({ limited: true });
  });
  it('treats a 503 as a pause only with Retry-After, and ignores other answers', () => {
    expect(rateLimit(res(503, { 'retry-after': '2' }), now)).toEqual({ limited: true, pauseUntil: now + 2000 });
    expect(rateLimit(res(503, {}), now)).toBeNull();
    expect(rateLimit(res(200, { 'x-ratelimit-limit': '100', 'x-ratelimit-reset': '1700000120' }), now)).toBeNull();
  });
});

describe('classify', () => {
  const res = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, headers, body, url: '' });
  it('maps "Invalid table" 400 to SOURCE_NOT_FOUND and MFA 401 to an explained SOURCE_AUTH_FAILED', () => {
    expect(classify(res(400, '{"error":{"message":"Invalid table incidnt","detail":null},"status":"failure"}'))?.code).toBe('SOURCE_NOT_FOUND');
    expect(classify(res(401, '{}', { 'x-mfa_token': 'invalid' }))?.message).toMatch(/multi-factor/);
    expect(classify(res(400, '{"error":{"message":"Invalid query","detail":null}}'))).toBeNull();
    expect(classify(res(401, 'not json'))).toBeNull();
  });
});

describe('config', () => {
  it('describes scope as table or table^query and requires exactly one auth form', () => {
    expect(describeServiceNow({ base_url: 'https://acme.service-now.com/', username: 'u', password: 'p' }))
      .toEqual({ base_url: 'https://acme.service-now.com', scope: 'incident', project: 'incident' });
    expect(describeServiceNow({ base_url: 'https://a.test', access_token: 't', table: 'problem', query: ' active=true ' }).scope)
      .toBe('problem^active=true');
    expect(validateServiceNowConfig({ base_url: 'https://a.test', username: 'u', password: 'p' })).toEqual([]);
    expect(validateServiceNowConfig({ base_url: 'https://a.test', access_token: 't' })).toEqual([]);
    expect(validateServiceNowConfig({ base_url: 'https://a.test' })[0]?.path).toBe('/username');
    expect(validateServiceNowConfig({ base_url: 'https://a.test', username: 'u' })[0]?.path).toBe('/password');
    expect(validateServiceNowConfig({ base_url: 'https://a.test', username: 'u', password: 'p', access_token: 't' })[0]?.path).toBe('/access_token');
  });
});
