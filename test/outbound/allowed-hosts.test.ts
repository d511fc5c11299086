/** SOURCE_ALLOWED_HOSTS (CONTRACT §9): named on-premise hosts and CIDRs, not every internal address. */
import { afterEach, describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { AllowedHosts } from '../../src/outbound/allowed-hosts.js';
import { checkBaseUrl, createAllowListLookup } from '../../src/outbound/ssrf.js';
import { loadConfig, ConfigError } from '../../src/config.js';
import { startHarness, type Harness } from '../support/harness.js';

const dns = (table: Record<string, string[]>) => async (host: string): Promise<LookupAddress[]> =>
  (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

function resolve(lookup: ReturnType<typeof createAllowListLookup>, host: string): Promise<string> {
  return new Promise((res, rej) => lookup(host, {}, (err, address) => (err ? rej(err) : res(address as string))));
}

const allowed = AllowedHosts.parse('jira.corp.test, 10.20.0.0/16, 192.168.1.7');

describe('AllowedHosts', () => {
  it('lets through listed names and addresses in listed ranges, nothing else', () => {
    expect(allowed.allowsHost('JIRA.corp.test.')).toBe(true);
    expect(allowed.allowsHost('10.20.3.4')).toBe(true);
    expect(allowed.allowsHost('192.168.1.7')).toBe(true);
    expect(allowed.allowsHost('192.168.1.8')).toBe(false);
    expect(allowed.allowsHost('wiki.corp.test')).toBe(false);
    expect(allowed.allowsAddress('10.21.0.1')).toBe(false);
  });

  it('refuses an entry that is neither, naming its position only', () => {
    expect(() => AllowedHosts.parse('ok.test, 10.0.0.0/99')).toThrow(/entry 2 is not a valid CIDR/);
    expect(() => loadConfig({ DATA_DIR: '/tmp', SOURCE_ALLOWED_HOSTS: 'good.test,bad host!' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: '/tmp', SOURCE_ALLOWED_HOSTS: 'good.test,bad host!' })).toThrow(/SOURCE_ALLOWED_HOSTS entry 2/);
  });
});

describe('URL rules with an allow list', () => {
  it('accepts http and private literals that are listed, refuses the rest with a hint', () => {
    expect(checkBaseUrl('http://10.20.0.5:8080', false, allowed).ok).toBe(true);
    expect(checkBaseUrl('https://jira.corp.test', false, allowed).ok).toBe(true);
    const refused = checkBaseUrl('https://10.30.0.5', false, allowed);
    expect(refused).toMatchObject({ ok: false, code: 'SOURCE_URL_FORBIDDEN' });
    expect(!refused.ok && refused.message).toMatch(/SOURCE_ALLOWED_HOSTS/);
    expect(checkBaseUrl('http://wiki.corp.test', false, allowed)).toMatchObject({ ok: false });
  });

  it('at connect time: a listed name may resolve privately, another name only into a listed range', async () => {
    const lookup = createAllowListLookup(allowed, dns({
      'jira.corp.test': ['172.16.0.9'],
      'ci.corp.test': ['10.20.9.9'],
      'wiki.corp.test': ['10.99.0.1'],
      'metadata.test': ['169.254.169.254'],
    }));
    await expect(resolve(lookup, 'jira.corp.test')).resolves.toBe('172.16.0.9');
    await expect(resolve(lookup, 'ci.corp.test')).resolves.toBe('10.20.9.9');
    await expect(resolve(lookup, 'wiki.corp.test')).rejects.toThrow(/internal address/);
    await expect(resolve(lookup, 'metadata.test')).rejects.toThrow(/internal address/);
  });
});

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('POST with SOURCE_ALLOWED_HOSTS', () => {
  it('creates a job for a listed on-premise address and refuses an unlisted one', async () => {
    h = await startHarness({ worker: false, env: { SOURCE_ALLOWED_HOSTS: '10.20.0.0/16' } });
    const ctx = { tenantId: null, requestId: 'r', correlationId: null, idempotencyKey: null };
    const body = (base_url: string) => ({ source_type: 'github' as const, source_config: { base_url, scope: 'onprem', count: 1 } });
    await expect(h.deps.jobs.create(body('http://10.20.1.2'), ctx)).resolves.toMatchObject({ created: true });
    await expect(h.deps.jobs.create(body('http://10.21.1.2'), ctx)).rejects.toMatchObject({ code: 'SOURCE_URL_FORBIDDEN' });
  });
});
