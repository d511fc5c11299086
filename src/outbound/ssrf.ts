/**
 * SSRF guard for every outbound URL — source base URLs and callback URLs (CONTRACT §5/§6). Two layers: `checkBaseUrl` refuses what
 * can be judged from the URL alone (at POST and on every request/redirect), and
 * `createGuardedLookup` checks every DNS answer at connect time, so a host name that resolves
 * to an internal address never receives a byte — whatever it resolved to at POST time. With
 * private networks allowed, plain http is still kept to private hosts (`createPrivateOnlyLookup`).
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { AllowedHosts } from './allowed-hosts.js';

/**
 * What would allow a refused internal host: every refusal says it, so nobody has to look it up. An IP
 * literal is named as the allow list compares it (::ffff:10.0.0.1 as 10.0.0.1).
 */
const allowHint = (host: string) => {
  const entry = ipaddr.isValid(host) ? ipaddr.process(host).toString() : host;
  return `set SOURCE_ALLOWED_HOSTS=${entry} to allow this host, or SOURCE_ALLOW_PRIVATE_NETWORKS=true to allow every private address`;
};
const INTERNAL = (host: string) => `resolves to a loopback, private or otherwise internal address: ${allowHint(host)}`;
const NOT_PRIVATE = (host: string) =>
  `is not on a private network: plain http is refused, use https (or set SOURCE_ALLOWED_HOSTS=${ipaddr.isValid(host) ? ipaddr.process(host).toString() : host} to allow plain http to this host)`;

/** IPv6 global unicast is 2000::/3; anything outside it (IPv4-compatible ::a.b.c.d, 0100::/64, …) is refused. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Cloud metadata and host services at addresses that are otherwise ordinary public unicast: Azure's
 * WireServer (168.63.129.16) hands VMs their configuration. The other clouds' metadata endpoints
 * sit in ranges refused anyway (169.254.169.254, 100.100.100.200, 192.0.0.192, fd00:ec2::254).
 */
const METADATA_ADDRESSES = new Set(['168.63.129.16']);

/**
 * True for any address a source must not be reached at: loopback, private, link-local
 * (incl. 169.254.169.254 metadata), unique-local, unspecified, CGNAT, multicast, broadcast,
 * reserved/documentation ranges, v6 forms that embed IPv4 (mapped, NAT64, 6to4, Teredo) and the
 * metadata addresses above. Unparseable input counts as forbidden.
 */
export function isForbiddenAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // Zone ids (fe80::1%eth0) are link-local by definition.
  if (bare.includes('%')) return true;
  if (!ipaddr.isValid(bare)) return true;
  const addr = ipaddr.process(bare); // IPv4-mapped IPv6 becomes IPv4 here
  if (addr.range() !== 'unicast') return true;
  if (addr.kind() === 'ipv6') return !(addr as ipaddr.IPv6).match(GLOBAL_UNICAST_V6);
  return METADATA_ADDRESSES.has(addr.toString());
}

/** `localhost`, `foo.localhost` (RFC 6761 loopback names), with or without the trailing dot. */
function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

export type BaseUrlCheck =
  | { ok: true; url: URL }
  | { ok: false; code: 'VALIDATION_ERROR' | 'SOURCE_URL_FORBIDDEN'; message: string };

/** Host part of a URL without IPv6 brackets. */
function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * URL-only checks (no DNS): absolute http(s), no userinfo, https unless private networks are
 * allowed, and no literal forbidden IP or localhost name. WHATWG URL parsing normalizes
 * decimal/hex/octal IPv4 forms (http://2130706433/ → 127.0.0.1), so they are caught too.
 */
export function checkBaseUrl(url: string, allowPrivate: boolean, allowed: AllowedHosts = AllowedHosts.NONE): BaseUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, code: 'VALIDATION_ERROR', message: 'base_url must be an absolute http(s) URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, code: 'VALIDATION_ERROR', message: 'base_url must be an absolute http(s) URL' };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return {
      ok: false,
      code: 'VALIDATION_ERROR',
      message: 'base_url must not contain credentials; put them in their own fields',
    };
  }
  const host = bareHost(parsed);
  if (allowed.allowsHost(host)) return { ok: true, url: parsed };
  if (allowPrivate) {
    // "http on an allowed private network" (CONTRACT §5): a public literal IP needs https; names are judged at connect.
    if (parsed.protocol === 'http:' && ipaddr.isValid(host) && !isForbiddenAddress(host)) {
      return { ok: false, code: 'SOURCE_URL_FORBIDDEN', message: `base_url host ${parsed.hostname} ${NOT_PRIVATE(host)}` };
    }
    return { ok: true, url: parsed };
  }
  if (parsed.protocol === 'http:') {
    return { ok: false, code: 'SOURCE_URL_FORBIDDEN', message: `base_url must use https (plain http only to a host in SOURCE_ALLOWED_HOSTS, or to private networks with SOURCE_ALLOW_PRIVATE_NETWORKS=true)` };
  }
  if (isLocalhostName(host) || (ipaddr.isValid(host) && isForbiddenAddress(host))) {
    return {
      ok: false,
      code: 'SOURCE_URL_FORBIDDEN',
      message: `base_url host ${parsed.hostname} is a loopback, private or otherwise internal address: ${allowHint(host)}`,
    };
  }
  return { ok: true, url: parsed };
}

/** Thrown from the guarded lookup; recognized by the HTTP layer anywhere in an error's cause chain. */
export class ForbiddenAddressError extends Error {
  /** What is wrong with the host and what would allow it, to follow its name in a message. */
  readonly reason: string;
  constructor(hostname: string, reason = INTERNAL(hostname)) {
    super(`${hostname} ${reason}`);
    this.name = 'ForbiddenAddressError';
    this.reason = reason;
  }
}

export function findForbiddenAddressError(err: unknown): ForbiddenAddressError | null {
  for (let e: unknown = err, depth = 0; e != null && depth < 8; depth++) {
    if (e instanceof ForbiddenAddressError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Resolver signature the guard builds on: every address for a host name. */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolveAll: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/tls.connect (passed through undici's `connect` options) that resolves
 * every address and refuses the connection if ANY of them is forbidden — a name with one public
 * and one private answer cannot be used to reach the private one. The addresses checked are
 * the ones handed to connect, so there is no second resolution to race (DNS rebinding).
 */
export function createGuardedLookup(
  resolveAll: ResolveAll = systemResolveAll,
  isForbidden: (ip: string, hostname: string) => boolean = isForbiddenAddress,
  reason: (hostname: string) => string = INTERNAL,
) {
  return (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions | number | undefined,
    callback: LookupCallback,
  ): void => {
    const opts = typeof options === 'object' && options !== null ? options : {};
    resolveAll(hostname).then(
      (all) => {
        const family = typeof options === 'number' ? options : opts.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (all.some((a) => isForbidden(a.address, hostname))) {
          callback(new ForbiddenAddressError(hostname, reason(hostname)), opts.all ? [] : '');
          return;
        }
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, opts.all ? [] : '');
          return;
        }
        if (opts.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, opts.all ? [] : ''),
    );
  };
}

/** The lookup without the private-network allowance: internal answers only for what SOURCE_ALLOWED_HOSTS lists. */
export function createAllowListLookup(allowed: AllowedHosts, resolveAll: ResolveAll = systemResolveAll) {
  return createGuardedLookup(resolveAll, (ip, hostname) => isForbiddenAddress(ip) && !allowed.allowsHost(hostname) && !allowed.allowsAddress(ip));
}

/** The lookup for plain http when private networks are allowed: every answer must be private. */
export function createPrivateOnlyLookup(resolveAll: ResolveAll = systemResolveAll) {
  return createGuardedLookup(resolveAll, (ip) => !isForbiddenAddress(ip), NOT_PRIVATE);
}
