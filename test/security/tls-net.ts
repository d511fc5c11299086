/**
 * A small HTTPS world on loopback for the SSRF tests in the default (no private networks) mode:
 * TLS servers with a test certificate for `*.test`, made-up DNS answers, and a transport whose
 * guard treats 127.0.0.1 as the one "public" address (so a server can be reached at all) while
 * every other address is judged by the real rules. TCP counters prove nothing reached an address.
 */
import { AllowedHosts } from '../../src/outbound/allowed-hosts.js';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { createGuardedLookup, isForbiddenAddress } from '../../src/outbound/ssrf.js';
import type { Transport } from '../../src/outbound/transport.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const cert = fixture('tls-cert.pem');
const key = fixture('tls-key.pem');

export const STAND_IN_PUBLIC = '127.0.0.1';

const closers: (() => Promise<void>)[] = [];
export async function closeAll(): Promise<void> {
  await Promise.all(closers.splice(0).map((c) => c()));
}

/** An HTTPS server on 127.0.0.1 (reach it as https://<name>.test:<port>). */
export async function tlsServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = https.createServer({ cert, key }, handle);
  await new Promise<void>((r) => server.listen(0, STAND_IN_PUBLIC, r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A bare TCP listener that only counts connections. */
export async function tcpCounter(host: string): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, connections: () => n };
}

export type DnsTable = Record<string, string[]>;

export const fakeDns = (table: DnsTable) => async (host: string): Promise<LookupAddress[]> => {
  const answers = table[host.toLowerCase().replace(/\.$/, '')];
  if (!answers) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** The default-mode transport (URL rules on, DNS guard on) over the test DNS and certificate. */
export function guardedTransport(table: DnsTable): Transport {
  const isForbidden = (ip: string) => ip !== STAND_IN_PUBLIC && isForbiddenAddress(ip);
  const dispatcher = new Agent({ connect: { lookup: createGuardedLookup(fakeDns(table), isForbidden), ca: cert } });
  closers.push(() => dispatcher.close());
  return { dispatcher, allowPrivate: false, allowed: AllowedHosts.NONE };
}
