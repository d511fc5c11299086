/**
 * SSRF in the default mode, over real HTTPS: an allowed source redirecting (or linking) to a
 * forbidden host in every spelling — a name resolving inward, mixed or IPv6 DNS answers, literal
 * IPv4 in decimal/octal/hex, IPv4 embedded in IPv6, localhost names, a downgrade to http, userinfo —
 * is refused with SOURCE_URL_FORBIDDEN and no connection reaches the forbidden address; credentials
 * never follow a redirect to another origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { SourceError } from '../../src/errors.js';
import { createSourceHttp } from '../../src/outbound/http.js';
import { closeAll, guardedTransport, tcpCounter, tlsServer, type DnsTable } from './tls-net.js';
import { TEST_POLICY } from '../support/policy.js';

type Counter = Awaited<ReturnType<typeof tcpCounter>>;
let inner: Counter; // a forbidden address (127.0.0.2)
let localhostDoor: Counter; // what a localhost name would reach
let origin: number; // the allowed source
let other: number; // another allowed origin
const received: { path: string; headers: IncomingHttpHeaders }[] = [];

const DNS: DnsTable = {
  'source.test': ['127.0.0.1'],
  'other.test': ['127.0.0.1'],
  'inward.test': ['127.0.0.2'],
  'mixed.test': ['127.0.0.1', '10.0.0.7'],
  'mixed6.test': ['127.0.0.1', 'fd00:ec2::254'],
  'v6-loop.test': ['::1'],
  'v6-mapped.test': ['::ffff:127.0.0.2'],
  'v6-mapped-hex.test': ['::ffff:7f00:2'],
  'v6-compat.test': ['::127.0.0.2'],
  'v6-nat64.test': ['64:ff9b::a9fe:a9fe'],
  'v6-6to4.test': ['2002:a9fe:a9fe::1'],
  'v6-link.test': ['fe80::1'],
  'v6-translated.test': ['::ffff:0:a9fe:a9fe'],
  'metadata.test': ['169.254.169.254'],
  'cgnat.test': ['100.100.100.200'],
};

/** /go?to=URL redirects there; anything else is recorded and answered with the server's label. */
const redirectingServer = (label: string) => (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'https://x.test');
  if (url.pathname === '/go') return void res.writeHead(302, { location: url.searchParams.get('to')! }).end();
  received.push({ path: `${label}${url.pathname}`, headers: req.headers });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ [label]: true }));
};

beforeAll(async () => {
  inner = await tcpCounter('127.0.0.2');
  localhostDoor = await tcpCounter('127.0.0.1');
  origin = await tlsServer(redirectingServer('source'));
  other = await tlsServer(redirectingServer('other'));
});
afterAll(closeAll);

const CREDENTIALS = { Authorization: 'Bearer s3cret-token', 'PRIVATE-TOKEN': 'glpat-s3cret', Cookie: 'session=s3cret', 'X-Api-Key': 's3cret-key' };
const client = () => createSourceHttp(
  { source: 'GitLab', baseUrl: `https://source.test:${origin}`, headers: { ...CREDENTIALS, 'X-Trace': 'kept' }, retries: 1 },
  guardedTransport(DNS),
  TEST_POLICY.http,
);
const via = (target: string) => `/go?to=${encodeURIComponent(target)}`;

async function refusal(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  expect((err as SourceError).code).toBe('SOURCE_URL_FORBIDDEN');
  expect((err as SourceError).message).not.toContain('s3cret');
  return err as SourceError;
}

describe('default mode over HTTPS', () => {
  it('the allowed source works, credentials kept on a same-origin redirect', async () => {
    received.length = 0;
    const res = await client().get(via('/data'));
    expect(res.body).toEqual({ source: true });
    expect(received[0]!.headers.authorization).toBe('Bearer s3cret-token');
    expect(received[0]!.headers['private-token']).toBe('glpat-s3cret');
  });

  it('a redirect to another allowed origin drops every credential header, keeps the rest', async () => {
    received.length = 0;
    const res = await client().get(via(`https://other.test:${other}/x`));
    expect(res.body).toEqual({ other: true });
    const h = received[0]!.headers;
    expect([h.authorization, h['private-token'], h.cookie, h['x-api-key'], h['x-trace']]).toEqual([undefined, undefined, undefined, undefined, 'kept']);
  });

  it.each([
    'inward.test', 'mixed.test', 'mixed6.test', 'v6-loop.test', 'v6-mapped.test', 'v6-mapped-hex.test', 'v6-compat.test',
    'v6-nat64.test', 'v6-6to4.test', 'v6-link.test', 'v6-translated.test', 'metadata.test', 'cgnat.test',
  ])('a redirect to %s (resolving inward) is refused before any connection', async (name) => {
    await refusal(client().get(via(`https://${name}:${inner.port}/latest/meta-data/`)));
    expect(inner.connections()).toBe(0);
  });

  it.each([
    ['literal', 'https://127.0.0.2:PORT/'],
    ['decimal', 'https://2130706434:PORT/'],
    ['octal', 'https://0177.0.0.2:PORT/'],
    ['hex', 'https://0x7f000002:PORT/'],
    ['short', 'https://127.2:PORT/'],
    ['trailing dot', 'https://127.0.0.2.:PORT/'],
    ['full-width digits', `https://${encodeURIComponent('１２７.０.０.２')}:PORT/`],
    ['IPv4-mapped IPv6', 'https://[::ffff:127.0.0.2]:PORT/'],
    ['IPv4-compatible IPv6', 'https://[::127.0.0.2]:PORT/'],
    ['downgrade to http', 'http://source.test:PORT/'],
  ])('a redirect to a %s address is refused (%s)', async (_kind, target) => {
    await refusal(client().get(via(target.replace('PORT', String(inner.port)))));
    expect(inner.connections()).toBe(0);
  });

  it.each(['localhost', 'LOCALHOST.', 'api.localhost', 'a.b.localhost.', '%6c%6fcalhost'])(
    'a redirect to the name %s is refused without resolving it',
    async (name) => {
      await refusal(client().get(via(`https://${name}:${localhostDoor.port}/`)));
      expect(localhostDoor.connections()).toBe(0);
    },
  );

  it('userinfo in a redirect target is refused and not repeated', async () => {
    const err = await refusal(client().get(via(`https://admin:s3cret-pw@other.test:${other}/`)));
    expect(err.message).not.toContain('admin');
  });

  it('a chain allowed → other allowed origin → inward is refused at the last hop', async () => {
    const hop2 = `https://source.test:${origin}${via(`https://inward.test:${inner.port}/`)}`;
    await refusal(client().get(via(`https://other.test:${other}${via(hop2)}`)));
    expect(inner.connections()).toBe(0);
  });

  it('an absolute URL handed back by the source (a Link header) is checked like base_url', async () => {
    await refusal(client().get(`https://inward.test:${inner.port}/api/v4/projects?page=2`));
    await refusal(client().get(`https://[::ffff:7f00:2]:${inner.port}/`));
    expect(inner.connections()).toBe(0);
  });
});
