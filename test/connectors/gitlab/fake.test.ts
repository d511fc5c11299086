/** The fake must behave as GitLab's docs say, or the connector tests prove nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitLabFake } from '../../../src/sandbox/fakes/gitlab.js';
import { startFake } from './helpers.js';

let fake: GitLabFake;
beforeAll(async () => {
  fake = await startFake({ totalsThreshold: 40 });
  fake.project.seed(45);
});
afterAll(() => fake.close());

const get = (path: string, token: string | null = fake.token) =>
  fetch(`${fake.baseUrl}${path}`, { headers: token ? { 'PRIVATE-TOKEN': token } : {} });
const issues = '/api/v4/projects/acme%2Fplatform%2Fapi/issues';

describe('GitLab fake', () => {
  it('offset paging headers as GitLab formats them; totals left out above the threshold', async () => {
    const res = await get(`${issues}?per_page=20&page=2&state=opened`);
    const opened = fake.project.issues.filter((i) => i.state === 'opened').length; // 30
    expect(res.headers.get('x-page')).toBe('2');
    expect(res.headers.get('x-prev-page')).toBe('1');
    expect(res.headers.get('x-next-page')).toBe('');
    expect(res.headers.get('x-total')).toBe(String(opened));
    expect(res.headers.get('x-total-pages')).toBe('2');
    const base = `${fake.baseUrl}${issues}`;
    expect(res.headers.get('link')).toBe(
      `<${base}?page=1&per_page=20&state=opened>; rel="prev", <${base}?page=1&per_page=20&state=opened>; rel="first", <${base}?page=2&per_page=20&state=opened>; rel="last"`,
    );
    const all = await get(`${issues}?per_page=20`);
    expect(all.headers.get('x-total')).toBeNull();
    expect(all.headers.get('x-total-pages')).toBeNull();
    expect(all.headers.get('link')).not.toContain('rel="last"');
    expect(all.headers.get('x-next-page')).toBe('2');
  });

  it('keyset paging: a cursor link while pages are full, then an empty page without link', async () => {
    const seen: number[] = [];
    let url: string | null = `${fake.baseUrl}${issues}?pagination=keyset&order_by=created_at&sort=asc&per_page=15`;
    let pages = 0;
    while (url) {
      const res: Response = await fetch(url, { headers: { 'PRIVATE-TOKEN': fake.token } });
      expect(res.headers.get('x-total')).toBeNull();
      seen.push(...((await res.json()) as { iid: number }[]).map((i) => i.iid));
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
      if (url) expect(url).toContain('cursor=');
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  it('notes newest first by default, system notes mixed in', async () => {
    const body = (await (await get(`${issues}/3/notes`)).json()) as { id: number; system: boolean }[];
    expect(body.map((n) => n.id)).toEqual([...body.map((n) => n.id)].sort((a, b) => b - a));
    expect(body.some((n) => n.system) && body.some((n) => !n.system)).toBe(true);
  });

  it('answers auth, path and throttle errors with GitLab bodies', async () => {
    const unauth = await get(issues, 'wrong');
    expect([unauth.status, await unauth.json()]).toEqual([401, { message: '401 Unauthorized' }]);
    const missing = await get('/api/v4/projects/acme%2Fnope/issues');
    expect([missing.status, await missing.json()]).toEqual([404, { message: '404 Project Not Found' }]);
    const slash = await get('/api/v4/projects/acme/platform/api/issues');
    expect(slash.status).toBe(404);
    const byId = await get('/api/v4/projects/42/issues?per_page=1');
    expect(byId.status).toBe(200);

    const limited = await startFake({ rateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const r1 = await fetch(`${limited.baseUrl}/api/v4/projects/42/issues`, { headers: { 'PRIVATE-TOKEN': limited.token } });
      expect(r1.headers.get('ratelimit-remaining')).toBe('1');
      await fetch(`${limited.baseUrl}/api/v4/projects/42/issues`, { headers: { 'PRIVATE-TOKEN': limited.token } });
      const r3 = await fetch(`${limited.baseUrl}/api/v4/projects/42/issues`, { headers: { 'PRIVATE-TOKEN': limited.token } });
      expect(r3.status).toBe(429);
      expect(await r3.text()).toBe('Retry later\n');
      expect(Number(r3.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r3.headers.get('ratelimit-resettime')).toMatch(/GMT$/);
    } finally {
      await limited.close();
    }
  });
});
