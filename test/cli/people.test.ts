/** `people list` against a live service holding imported GitHub issues: every person with its accounts, filters as flags. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startCliService, type CliService } from './support.js';

describe('people list', { timeout: 120_000 }, () => {
  let svc: CliService;

  beforeAll(async () => {
    svc = await startCliService({ issues: 12, prEvery: 0 });
    const res = await fetch(`${svc.server}/api/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source_type: 'github', source_config: { base_url: svc.github.baseUrl, owner: 'octo-org', repo: 'hello-world' } }),
    });
    const job = (await res.json()) as { job_id: string };
    expect((await svc.harness.waitFor(job.job_id, undefined, 60_000)).status).toBe('completed');
  });
  afterAll(async () => svc?.close());

  it('prints the persons the import met, as a table or as the API response', async () => {
    const api = (await (await fetch(`${svc.server}/api/people?limit=1000`)).json()) as { people: { id: string; accounts: { source_type: string }[] }[] };
    expect(api.people.length).toBeGreaterThan(0);
    expect(api.people.every((p) => p.accounts.length > 0 && p.accounts.every((a) => a.source_type === 'github'))).toBe(true);

    const json = await cli(['--server', svc.server, 'people', 'list', '--json', '--limit', '1000']).done;
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api);

    const plain = await cli(['--server', svc.server, 'people', 'list', '--limit', '1000']).done;
    expect(plain.code, plain.stderr).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PERSON\s+NAME\s+EMAIL\s+ACCOUNTS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(api.people.map((p) => p.id));
    expect(lines[1]).toContain('github:');

    const none = await cli(['--server', svc.server, 'people', 'list', '--json', '--source-type', 'jira']).done;
    expect(JSON.parse(none.stdout)).toEqual({ people: [], next_cursor: null });
  });
});
