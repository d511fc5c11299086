/**
 * A credential holding CR/LF (a token pasted with its line break, or a crafted "tok\r\nX-Evil: 1")
 * must neither inject a header nor reach the source; it is a credential problem, reported at once
 * as SOURCE_AUTH_FAILED without the value — not retried as if the network had failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { SourceError } from '../../src/errors.js';
import { createSourceHttp } from '../../src/outbound/http.js';
import { createTransport } from '../../src/outbound/transport.js';
import { closeServer, listenLoopback } from '../../src/sandbox/fakes/loopback.js';
import { MARKER } from './support.js';
import { TEST_POLICY } from '../support/policy.js';

let server: Server;
let origin: string;
let requests = 0;
beforeAll(async () => {
  ({ server, origin } = await listenLoopback((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }));
});
afterAll(() => closeServer(server));

describe('credentials that are not valid header values', () => {
  it.each([
    ['a trailing line break', { 'PRIVATE-TOKEN': `glpat-${MARKER}\n` }],
    ['an injected header', { Authorization: `Bearer ${MARKER}\r\nX-Evil: 1` }],
    ['a NUL byte', { Authorization: `Bearer ${MARKER}\u0000` }],
  ])('%s: nothing is sent, SOURCE_AUTH_FAILED at once', async (_case, headers) => {
    const before = requests;
    const h = createSourceHttp({ source: 'GitLab', baseUrl: origin, headers, retries: 5 }, createTransport(true), TEST_POLICY.http);
    const err = await h.get('/api/v4/projects/1').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('SOURCE_AUTH_FAILED');
    expect((err as SourceError).message).not.toContain(MARKER);
    expect([requests - before, h.requestCount]).toEqual([0, 0]);
  });
});
