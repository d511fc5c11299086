/**
 * Crash and resume for each source through the jobs core: a job runs until at least two batches
 * are stored, its worker shuts down (hands the job back after checkpointing), the fake's request
 * log is cleared and a new worker takes over. The job must complete with exact counts, hold
 * every item once, and the new worker must not ask the source again for anything already stored:
 * no list page at or before the checkpoint, no comment request for a stored item.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../src/deps.js';
import type { ConnectorModule, SourceType } from '../../src/connectors/connector.js';
import { jiraModule } from '../../src/connectors/jira/index.js';
import { gitlabModule } from '../../src/connectors/gitlab/index.js';
import { githubModule } from '../../src/connectors/github/index.js';
import { servicenowModule } from '../../src/connectors/servicenow/index.js';
import type { JobRecord } from '../../src/jobs/types.js';
import type { JobItem } from '../../src/store/types.js';
import { startSourceHarness, type Harness } from '../support/harness.js';
import { JiraFake } from '../fakes/jira.js';
import { started } from '../fakes/vendor-fake.js';
import { generateIssues } from '../fakes/jira-data.js';
import { GitLabFake } from '../fakes/gitlab.js';
import { seedIncidents } from '../fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../fakes/servicenow.js';
import { closeFakes, startFake as startGithub } from './github/helpers.js';
import { PASSWORD, startFake as startServiceNow, USER } from './servicenow/helpers.js';

const modules = [jiraModule, gitlabModule, githubModule, servicenowModule] as unknown as ConnectorModule[];

let h: Harness;
let stop: (() => Promise<void>) | null = null;
beforeAll(async () => {
  h = await startSourceHarness(modules);
});
afterAll(async () => h?.cleanup());
afterEach(async () => {
  await stop?.();
  stop = null;
  await closeFakes();
});

const ctx = { tenantId: null, requestId: 'req-resume', correlationId: null, idempotencyKey: null };
const BATCH = 20;

interface Resumed {
  before: JobRecord;
  stored: JobItem[];
  done: JobRecord;
}

/** Start, shut the worker down after >= 2 batches, clear the log, resume on a new worker. */
async function crashAndResume(source_type: SourceType, source_config: Record<string, unknown>, n: number, clearLog: () => void): Promise<Resumed> {
  const { job } = await h.deps.jobs.create({ source_type, source_config, options: { batch_size: BATCH } }, ctx);
  await h.waitFor(job.job_id, (j) => j.progress.current_batch >= 2);
  await h.worker!.close();
  const before = (await h.deps.records.get(job.job_id))!;
  const stored = (await h.deps.store.jobItems(job.job_id, { limit: 10_000 })).items;
  expect(before.status).toBe('processing');
  expect(stored).toHaveLength(before.progress.processed_items);
  expect(before.progress.processed_items).toBeLessThan(n); // really mid-import
  clearLog();
  h.worker = createWorker(h.deps, { lockDurationMs: 3000, stalledIntervalMs: 1000 });
  await h.worker.start();
  const done = await h.waitFor(job.job_id, undefined, 40_000);
  expect(done).toMatchObject({ status: 'completed', error_code: null });
  expect(done.progress).toMatchObject({ total_items: n, processed_items: n, successful_items: n, failed_items: 0, skipped_items: 0 });
  const logged = (await h.deps.store.jobItems(job.job_id, { limit: 10_000 })).items;
  expect(new Set(logged.map((i) => i.external_id)).size).toBe(n);
  expect(logged.filter((i) => i.action !== 'created')).toEqual([]);
  return { before, stored, done };
}

const maxOf = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const decode = (token: string) => JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('crash and resume from the checkpoint', () => {
  it('Jira: the resumed search starts with the token after the last stored issue', async () => {
    const fake = await started(new JiraFake({ flavor: 'cloud', latencyMs: 15, issues: generateIssues({ count: 600, comments: (i) => (i % 10 === 0 ? 25 : 1) }) }));
    stop = () => fake.close();
    const config = { base_url: fake.baseUrl, project_key: 'TEST', ...fake.credentials };
    const { stored } = await crashAndResume('jira', config, 600, () => (fake.requests.length = 0));
    const last = maxOf(stored.map((i) => Number(i.external_id)));
    const searches = fake.requests.filter((r) => r.path.endsWith('/search/jql'));
    const after = searches.map((r) => Number(decode(String(r.body?.nextPageToken)).lastId));
    expect(after[0]).toBe(last);
    expect(after.every((id) => id >= last)).toBe(true);
    expect(searches.length).toBe(Math.ceil((600 - stored.length) / BATCH));
    const commented = fake.requests.map((r) => /\/issue\/(\d+)\/comment$/.exec(r.path)?.[1]).filter((id) => id !== undefined);
    expect(commented.length).toBeGreaterThan(0);
    expect(commented.filter((id) => Number(id) <= last)).toEqual([]);
  });

  it.each(['supported', 'ignored'] as const)('GitLab (keyset %s): no list page or notes of a stored issue is fetched again', async (keyset) => {
    const fake = await started(new GitLabFake({ latencyMs: 15, keyset }));
    stop = () => fake.close();
    fake.project.seed(600);
    const config = { base_url: fake.baseUrl, token: fake.token, project_id: fake.project.path };
    const { stored } = await crashAndResume('gitlab', config, 600, () => (fake.requests.length = 0));
    const lists = fake.requests.filter((r) => r.path.endsWith('/issues') && r.url.searchParams.get('per_page') !== '1');
    if (keyset === 'supported') {
      const last = maxOf(stored.map((i) => Number(i.external_id)));
      const after = lists.map((r) => Number(decode(r.url.searchParams.get('cursor') ?? 'e30').id));
      expect(after[0]).toBe(last);
      expect(after.every((id) => id >= last)).toBe(true);
    } else {
      const pages = lists.map((r) => Number(r.url.searchParams.get('page')));
      expect(Math.min(...pages)).toBe(stored.length / BATCH + 1);
    }
    const storedIids = new Set(stored.map((i) => Number(i.key!.slice(1))));
    const notes = fake.requests.map((r) => /\/issues\/(\d+)\/notes$/.exec(r.path)?.[1]).filter((iid) => iid !== undefined);
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.filter((iid) => storedIids.has(Number(iid)))).toEqual([]);
  });

  it('GitHub: the resumed walk starts at the page after the checkpoint', async () => {
    // A third are pull requests: 400 issues. Few long threads, so comments are read per issue and
    // #10's (a stored page) would show up if refetched; the bulk plan would re-read the
    // repository-wide list after a resume whatever was stored.
    const fake = await startGithub({ issues: 600, latencyMs: 15, commentsFor: (n) => (n === 10 || n % 300 === 250 ? 300 : 0) });
    const config = { base_url: fake.baseUrl, token: fake.token, owner: fake.data.o.owner, repo: fake.data.o.repo };
    let clearedAt = 0;
    const { before, stored } = await crashAndResume('github', config, 400, () => {
      fake.requests.length = 0;
      clearedAt = Date.now();
    });
    // This fake logs a request once answered: one the old worker sent before it stopped may come in late.
    const resumed = fake.requests.filter((r) => r.at >= clearedAt).map((r) => r.path);
    const pages = resumed.filter((p) => /\/issues\?/.test(p) && !/\/comments|\/search\//.test(p)).map((p) => Number(/[?&]page=(\d+)/.exec(p)?.[1] ?? 1));
    expect(Math.min(...pages)).toBe(before.progress.current_batch + 1);
    const storedNumbers = new Set(stored.map((i) => Number(i.key!.slice(1))));
    const perIssue = resumed.map((p) => /\/issues\/(\d+)\/comments/.exec(p)?.[1]).filter((n) => n !== undefined);
    expect(perIssue.length).toBeGreaterThan(0);
    expect(perIssue.filter((n) => storedNumbers.has(Number(n)))).toEqual([]);
  });

  it('ServiceNow: the resumed scan starts after the key of the last stored incident', async () => {
    const fake: FakeServiceNow = await startServiceNow({ latencyMs: 15 });
    stop = () => fake.close();
    seedIncidents(fake.data, { count: 600, journal: (i) => i % 3 });
    const config = { base_url: fake.baseUrl, username: USER, password: PASSWORD };
    const { stored } = await crashAndResume('servicenow', config, 600, () => (fake.log.length = 0));
    const keyOf = (id: string) => { const r = fake.data.get('incident', id)!; return `${r.sys_created_on} ${id}`; };
    const last = stored.map((i) => keyOf(i.external_id)).sort().at(-1)!;
    const scans = fake.requests('incident').filter((r) => r.params.sysparm_fields !== 'sys_id');
    const after = scans.map((r) => /sys_created_on=([^^]+)\^sys_id>=([0-9a-f]+)/.exec(r.params.sysparm_query ?? '')).map((m) => (m ? `${m[1]} ${m[2]}` : ''));
    expect(after[0]).toBe(last);
    expect(after.every((k) => k >= last)).toBe(true);
    const storedIds = new Set(stored.map((i) => i.external_id));
    const journalIds = fake.requests('sys_journal_field').flatMap((r) => /element_idIN([^^]+)/.exec(r.params.sysparm_query ?? '')?.[1]?.split(',') ?? []);
    expect(journalIds.length).toBeGreaterThan(0);
    expect(journalIds.filter((id) => storedIds.has(id))).toEqual([]);
  });
});
