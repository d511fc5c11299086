/**
 * SOURCE_ALLOWED_HOSTS (CONTRACT §9): host names and CIDRs that may be private — an on-premise
 * Jira at jira.corp.example or 10.20.0.0/16 — without opening every internal address to every
 * tenant the way SOURCE_ALLOW_PRIVATE_NETWORKS does. A listed name may resolve to anything (it is
 * the operator's own); any other name is still checked answer by answer, and an address is let
 * through only when it falls in a listed CIDR. Plain http is allowed to what is listed, as to a
 * private network.
 */
import ipaddr from 'ipaddr.js';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const normalName = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

export class AllowedHosts {
  private constructor(
    private readonly names: ReadonlySet<string>,
    private readonly ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][],
  ) {}

  static readonly NONE = new AllowedHosts(new Set(), []);

  /** Throws an Error naming the entry (by position, never its text) that is neither a host name nor a CIDR. */
  static parse(text: string | undefined): AllowedHosts {
    const entries = (text ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
    const names = new Set<string>();
    const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
    for (const [i, entry] of entries.entries()) {
      if (entry.includes('/')) {
        try {
          ranges.push(ipaddr.parseCIDR(entry));
        } catch {
          throw new Error(`entry ${i + 1} is not a valid CIDR (like 10.20.0.0/16)`);
        }
      } else if (ipaddr.isValid(entry)) {
        const addr = ipaddr.parse(entry);
        ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else if (HOST_NAME.test(normalName(entry))) {
        names.add(normalName(entry));
      } else {
        throw new Error(`entry ${i + 1} must be a host name, an IP address or a CIDR`);
      }
    }
    return new AllowedHosts(names, ranges);
  }

  /** A URL host (name or literal IP, without brackets) that is listed. */
  allowsHost(host: string): boolean {
    return this.names.has(normalName(host)) || (ipaddr.isValid(host) && this.allowsAddress(host));
  }

  allowsAddress(ip: string): boolean {
    if (!ipaddr.isValid(ip)) return false;
    const addr = ipaddr.process(ip);
    return this.ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
  }
}
