/**
 * A completion-callback receiver: a local HTTP server that records every request it gets (with the
 * time it arrived) and answers as the test says, or not at all (null: the request is held open).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; headers?: Record<string, string> } | null;

export interface Receiver {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

/** `port` 0: any free one. `path` is where the callback goes (it may stand for a secret). */
export async function startReceiver(answer: (hit: Hit, n: number) => Answer = () => ({ status: 204 }), port = 0, path = '/hook'): Promise<Receiver> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const hit = { at: Date.now(), headers: req.headers, body };
      hits.push(hit);
      const a = answer(hit, hits.length);
      if (a) res.writeHead(a.status, a.headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A port nothing listens on (until a test starts a receiver there): connections are refused. */
export async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return Number(new URL(r.url).port);
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
