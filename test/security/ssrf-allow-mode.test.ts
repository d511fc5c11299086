/**
 * With SOURCE_ALLOW_PRIVATE_NETWORKS=true, CONTRACT §5 still says "base_url must be https, or http
 * on an allowed private network": plain http may only reach private hosts, so credentials never
 * cross the internet in clear — refused for a public literal IP at POST, and at connect time for a
 * name with any public DNS answer (also after a redirect), before a byte is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { SourceError } from '../../src/errors.js';
import { createSourceHttp } from '../../src/outbound/http.js';
import { createTransport } from '../../src/outbound/transport.js';
import { checkBaseUrl } from '../../src/outbound/ssrf.js';
import { closeServer, listenLoopback } from '../../src/sandbox/fakes/loopback.js';
import { closeAll, fakeDns, tcpCounter } from './tls-net.js';
import { TEST_POLICY } from '../support/policy.js';

let server: Server;
let port: number;
beforeAll(async () => {
  let origin: string;
  ({ server, origin } = await listenLoopback((req, res) => {
    if (req.url?.startsWith('/go?to=')) return void res.writeHead(302, { location: decodeURIComponent(req.url.slice(7)) }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }));
  port = Number(new URL(origin).port);
});
afterAll(async () => {
  await closeServer(server);
  await closeAll();
});

describe('allow mode: http only to private hosts', () => {
  it.each([
    ['http://8.8.8.8/jira', 'SOURCE_URL_FORBIDDEN'],
    ['http://[2606:4700::1111]/', 'SOURCE_URL_FORBIDDEN'],
    ['http://134744072/', 'SOURCE_URL_FORBIDDEN'],
    ['http://10.0.0.5:8080/jira', 'ok'],
    ['http://127.0.0.1:8080', 'ok'],
    ['http://jira.corp:8080', 'ok'],
    ['https://8.8.8.8/', 'ok'],
  ])('checkBaseUrl(%s, allowed) → %s', (url, expected) => {
    const r = checkBaseUrl(url, true);
    expect(r.ok ? 'ok' : r.code).toBe(expected);
  });

  const dns = fakeDns({
    'corp.test': ['127.0.0.1'],
    // The loopback answer comes first, so without the guard the connection would land on loopback, never outside.
    'split.test': ['127.0.0.1', '140.82.112.5'],
    'split6.test': ['127.0.0.1', '2606:4700::1111'],
  });
  const client = (host: string) =>
    createSourceHttp({ source: 'Jira', baseUrl: `http://${host}:${port}`, headers: { Authorization: 'Bearer s3cret' }, retries: 0 }, createTransport(true, dns), TEST_POLICY.http);

  it('a name resolving only to private addresses is reached over http', async () => {
    expect((await client('corp.test').get('/x')).body).toEqual({ ok: true });
  });

  it.each(['split.test', 'split6.test'])('a name with a public answer (%s) is refused over http before connecting', async (host) => {
    const door = await tcpCounter('127.0.0.1');
    const h = createSourceHttp({ source: 'Jira', baseUrl: `http://${host}:${door.port}`, retries: 0 }, createTransport(true, dns), TEST_POLICY.http);
    const err = await h.get('/x').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('SOURCE_URL_FORBIDDEN');
    expect((err as SourceError).message).toBe(`Jira host ${host} is not on a private network: plain http is refused, use https (or set SOURCE_ALLOWED_HOSTS=${host} to allow plain http to this host)`);
    expect(door.connections()).toBe(0);
  });

  it('a redirect from a private http host to a partly public http host is refused', async () => {
    const door = await tcpCounter('127.0.0.1');
    const err = await client('corp.test').get(`/go?to=${encodeURIComponent(`http://split.test:${door.port}/steal`)}`).then(() => null, (e: unknown) => e);
    expect((err as SourceError).code).toBe('SOURCE_URL_FORBIDDEN');
    expect(door.connections()).toBe(0);
  });
});
