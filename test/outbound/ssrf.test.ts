import { AllowedHosts } from '../../src/outbound/allowed-hosts.js';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { createSourceHttp } from '../../src/outbound/http.js';
import { createTransport } from '../../src/outbound/transport.js';
import { checkBaseUrl, createGuardedLookup, isForbiddenAddress } from '../../src/outbound/ssrf.js';
import { TEST_POLICY } from '../support/policy.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

/** A bare TCP listener that only counts connections: proof that nothing reached the address. */
async function tcpCounter(host: string): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    s.destroy();
  });
  closers.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, host, r));
  return { port: (server.address() as AddressInfo).port, connections: () => n };
}

async function httpServer(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const dns = (table: Record<string, string[]>) => async (host: string): Promise<LookupAddress[]> =>
  (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function caught(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.0.1', true], ['192.168.1.1', true],
    ['169.254.169.254', true], ['100.64.0.1', true], ['0.0.0.0', true], ['224.0.0.1', true],
    ['255.255.255.255', true], ['192.0.2.1', true], ['::1', true], ['::', true], ['fe80::1', true],
    ['fd00::1', true], ['ff02::1', true], ['::ffff:127.0.0.1', true], ['::ffff:a9fe:a9fe', true],
    ['::127.0.0.1', true], ['64:ff9b::a00:1', true], ['2002:a00:1::', true], ['fe80::1%eth0', true],
    ['not-an-ip', true], ['8.8.8.8', false], ['140.82.112.5', false], ['2606:4700:4700::1111', false],
  ])('%s → %s', (ip, forbidden) => expect(isForbiddenAddress(ip)).toBe(forbidden));
});

describe('checkBaseUrl', () => {
  it.each([
    ['not a url', false, 'VALIDATION_ERROR'],
    ['/rest/api', false, 'VALIDATION_ERROR'],
    ['ftp://jira.example.com', false, 'VALIDATION_ERROR'],
    ['https://me:secret@jira.example.com', true, 'VALIDATION_ERROR'],
    ['http://jira.example.com', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://127.0.0.1', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://2130706433/', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://0x7f.1/', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://0177.0.0.1/', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://169.254.169.254/latest/meta-data', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://[::1]:8443', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://[::ffff:10.0.0.1]', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://[fd12::1]', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://localhost:8080', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://api.LOCALHOST.', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://100.100.100.200', false, 'SOURCE_URL_FORBIDDEN'],
    ['https://jira.example.com', false, 'ok'],
    ['https://8.8.8.8/api', false, 'ok'],
    ['https://[2606:4700::1111]', false, 'ok'],
    ['http://127.0.0.1:8080', true, 'ok'],
    ['http://localhost:8080', true, 'ok'],
  ])('%s (private allowed: %s) → %s', (url, allow, expected) => {
    const r = checkBaseUrl(url, allow);
    expect(r.ok ? 'ok' : r.code).toBe(expected);
    if (!r.ok) expect(r.message).not.toContain('secret');
  });

  it('names the settings that would allow plain http', () => {
    const r = checkBaseUrl('http://jira.example.com', false);
    expect(!r.ok && r.message).toBe(
      'base_url must use https (plain http only to a host in SOURCE_ALLOWED_HOSTS, or to private networks with SOURCE_ALLOW_PRIVATE_NETWORKS=true)',
    );
  });

  // The hint is a value to paste: following it must be enough.
  it.each(['https://127.0.0.1', 'https://localhost:8080', 'https://[::1]:8443', 'https://[::ffff:10.0.0.1]', 'https://api.LOCALHOST.', 'https://169.254.169.254/x'])(
    '%s: the refusal names SOURCE_ALLOWED_HOSTS=<host> and SOURCE_ALLOW_PRIVATE_NETWORKS, and either allows it',
    (url) => {
      const r = checkBaseUrl(url, false);
      if (r.ok) throw new Error('expected a refusal');
      expect(r.message).toMatch(/is a loopback, private or otherwise internal address: set SOURCE_ALLOWED_HOSTS=\S+ to allow this host, or SOURCE_ALLOW_PRIVATE_NETWORKS=true to allow every private address$/);
      const entry = /SOURCE_ALLOWED_HOSTS=(\S+)/.exec(r.message)![1]!;
      expect(checkBaseUrl(url, false, AllowedHosts.parse(entry)).ok).toBe(true);
      expect(checkBaseUrl(url, true).ok).toBe(true);
    },
  );
});

describe('connect-time guard', () => {
  it('hands the checked addresses to connect, filtered by family', async () => {
    const lookup = createGuardedLookup(dns({ 'h.test': ['140.82.112.5', '2606:4700::1111'] }));
    const all = await new Promise((r) => lookup('h.test', { all: true }, (_e, a) => r(a)));
    expect(all).toEqual([{ address: '140.82.112.5', family: 4 }, { address: '2606:4700::1111', family: 6 }]);
    const one = await new Promise((r) => lookup('h.test', { family: 6 }, (_e, a, f) => r([a, f])));
    expect(one).toEqual(['2606:4700::1111', 6]);
  });

  it.each([[['127.0.0.1']], [['140.82.112.5', '10.0.0.7']], [['::ffff:127.0.0.1']]])(
    'refuses a host name resolving to %j and nothing reaches the server',
    async (answers) => {
      const target = await tcpCounter('127.0.0.1');
      const transport = createTransport(false, dns({ 'jira.corp.test': answers }));
      const h = createSourceHttp({ source: 'Jira', baseUrl: `https://jira.corp.test:${target.port}` }, transport, TEST_POLICY.http);
      const err = await caught(h.get('/rest/api/3/myself'));
      expect(err.code).toBe('SOURCE_URL_FORBIDDEN');
      expect(err.message).toBe('Jira host jira.corp.test resolves to a loopback, private or otherwise internal address: '
        + 'set SOURCE_ALLOWED_HOSTS=jira.corp.test to allow this host, or SOURCE_ALLOW_PRIVATE_NETWORKS=true to allow every private address');
      expect(target.connections()).toBe(0);
    },
  );

  it('re-checks the DNS answer of every redirect hop', async () => {
    const evil = await tcpCounter('127.0.0.2');
    const port = await httpServer((_q, res) => {
      res.writeHead(302, { location: `http://evil.test:${evil.port}/latest/meta-data` });
      res.end();
    });
    // URL rules relaxed (http, loopback origin) so only the DNS guard decides; it forbids 127.0.0.2 alone.
    const lookup = createGuardedLookup(dns({ 'origin.test': ['127.0.0.1'], 'evil.test': ['127.0.0.2'] }), (ip) => ip === '127.0.0.2');
    const agent = new Agent({ connect: { lookup } });
    closers.push(() => void agent.close());
    const h = createSourceHttp({ source: 'GitLab', baseUrl: `http://origin.test:${port}` }, { dispatcher: agent, allowPrivate: true, allowed: AllowedHosts.NONE }, TEST_POLICY.http);
    const err = await caught(h.get('/api/v4/projects/1'));
    expect(err.code).toBe('SOURCE_URL_FORBIDDEN');
    expect(evil.connections()).toBe(0);
  });
});

describe('redirects', () => {
  const transport = createTransport(true);

  it('keeps credentials on same-origin hops and drops them across origins', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const other = await httpServer((req, res) => {
      seen.push(req.headers);
      res.end('{"moved":true}');
    });
    const port = await httpServer((req, res) => {
      seen.push(req.headers);
      const location = req.url === '/a' ? '/b' : `http://localhost:${other}/c`;
      res.writeHead(301, { location });
      res.end();
    });
    const h = createSourceHttp(
      { source: 'GitLab', baseUrl: `http://127.0.0.1:${port}`, headers: { 'PRIVATE-TOKEN': 'glpat-x', Authorization: 'Bearer y' } },
      transport,
      TEST_POLICY.http,
    );
    const res = await h.get('/a');
    expect([res.body, res.url]).toEqual([{ moved: true }, `http://localhost:${other}/c`]);
    expect(seen.map((s) => [s['private-token'], s.authorization])).toEqual([
      ['glpat-x', 'Bearer y'],
      ['glpat-x', 'Bearer y'],
      [undefined, undefined],
    ]);
    expect(seen[2]!.accept).toBe('application/json');
    expect(h.requestCount).toBe(3);
  });

  it('sends no credentials to an absolute URL on another origin (a hostile Link header)', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const port = await httpServer((req, res) => {
      seen.push(req.headers);
      res.end('[]');
    });
    const h = createSourceHttp({ source: 'GitHub', baseUrl: `http://127.0.0.1:${port}`, headers: { Authorization: 'token t' } }, transport, TEST_POLICY.http);
    await h.get(`http://127.0.0.1:${port}/same`);
    await h.get(`http://localhost:${port}/other`);
    expect(seen.map((s) => s.authorization)).toEqual(['token t', undefined]);
  });

  it('turns a POST answered 303 into a bodiless GET', async () => {
    const seen: string[] = [];
    const port = await httpServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'}`);
      if (req.url === '/search') return void res.writeHead(303, { location: '/result' }).end();
      res.end('[]');
    });
    await createSourceHttp({ source: 'Jira', baseUrl: `http://127.0.0.1:${port}` }, transport, TEST_POLICY.http).post('/search', { q: 1 });
    expect(seen).toEqual(['POST /search application/json', 'GET /result -']);
  });

  it('stops after 5 redirects with SOURCE_RESPONSE_INVALID', async () => {
    const port = await httpServer((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    const err = await caught(createSourceHttp({ source: 'Jira', baseUrl: `http://127.0.0.1:${port}` }, transport, TEST_POLICY.http).get('/r'));
    expect(err.code).toBe('SOURCE_RESPONSE_INVALID');
  });
});
