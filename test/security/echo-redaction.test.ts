/**
 * A source that echoes the credentials it received in its error body (a proxy, a WAF, a verbose
 * error page) must not get them into the SourceError a vendor `classify` builds from that body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { SourceError } from '../../src/errors.js';
import { createSourceHttp } from '../../src/outbound/http.js';
import { createTransport } from '../../src/outbound/transport.js';
import { closeServer, listenLoopback } from '../../src/sandbox/fakes/loopback.js';
import { MARKER } from './support.js';
import { TEST_POLICY } from '../support/policy.js';

const USER = 'echo.user@example.com';
const PASSWORD = `pa ss/${MARKER}+é`;
const TOKEN = `tok-${MARKER}-123`;
let server: Server;
let origin: string;

beforeAll(async () => {
  // Answers 400 with every header it got, raw and decoded, as the "error message".
  ({ server, origin } = await listenLoopback((req, res) => {
    const auth = req.headers.authorization ?? '';
    const token = String(req.headers['private-token'] ?? '');
    const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const secret = basic ? basic.slice(basic.indexOf(':') + 1) : token || auth.replace(/^Bearer /, '');
    const said = [auth, token, basic, secret, encodeURIComponent(secret)];
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `refused: ${said.join(' | ')}` }));
  }));
});
afterAll(() => closeServer(server));

const echoClassify = (res: { status: number; body: string }) => ({
  code: 'SOURCE_RESPONSE_INVALID' as const,
  message: `Vendor said: ${(JSON.parse(res.body) as { message: string }).message}`,
});

async function errorOf(headers: Record<string, string>): Promise<SourceError> {
  const h = createSourceHttp({ source: 'Vendor', baseUrl: origin, headers, classify: echoClassify }, createTransport(true), TEST_POLICY.http);
  const err = await h.get('/x').then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('credentials echoed by a source', () => {
  it('Basic: header, decoded user:password and the password alone are cut out', async () => {
    const err = await errorOf({ Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });
    expect(err.message).toMatch(/^Vendor said: refused: /);
    expect(err.message).not.toContain(MARKER);
    expect(err.message).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });

  it('Bearer and PRIVATE-TOKEN: the token, raw or URL-encoded, is cut out', async () => {
    const bearer = await errorOf({ Authorization: `Bearer ${TOKEN}` });
    const gitlab = await errorOf({ 'PRIVATE-TOKEN': TOKEN });
    for (const err of [bearer, gitlab]) {
      expect(err.message).toContain('REDACTED');
      expect(err.message).not.toContain(MARKER);
    }
  });
});
