/**
 * Issue 12 "done when", end to end through the jobs core: a Jira Cloud import and a GitLab import
 * against their fakes carry history, attachments and custom fields with completeness flags that are
 * true, the job field map is applied over the connector defaults, and the same human (one verified
 * email in both tools, spelt differently) becomes one person whose id both items show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorModule } from '../../src/connectors/connector.js';
import { gitlabModule } from '../../src/connectors/gitlab/index.js';
import { jiraModule } from '../../src/connectors/jira/index.js';
import { GitLabFake } from '../../src/sandbox/fakes/gitlab.js';
import { JiraFake } from '../../src/sandbox/fakes/jira.js';
import { generateIssues } from '../../src/sandbox/fakes/jira-data.js';
import { started } from '../../src/sandbox/fakes/vendor-fake.js';
import type { WorkItem } from '../../src/store/types.js';
import { startSourceHarness, type Harness } from '../support/harness.js';

let h: Harness;
let jira: JiraFake;
let gitlab: GitLabFake;
const ctx = { tenantId: 'acme', requestId: 'req-depth', correlationId: null, idempotencyKey: null };

beforeAll(async () => {
  h = await startSourceHarness([jiraModule, gitlabModule] as unknown as ConnectorModule[]);
  jira = await started(new JiraFake({ flavor: 'cloud', issues: generateIssues({ count: 40, comments: (i) => i % 3, history: (i) => (i % 10 === 0 ? 60 : i % 4), custom: true }) }));
  gitlab = await started(new GitLabFake());
  gitlab.project.seed(40, { labelToggles: (i) => i % 2 });
  // GitLab's user2 shows the address Jane Smith uses in Jira, in another spelling.
  (gitlab.project.issue(1).author as { email?: string }).email = ' Jane@Example.COM';
}, 60_000);
afterAll(async () => {
  await Promise.all([jira?.close(), gitlab?.close()]);
  await h?.cleanup();
});

async function items(sourceType: 'jira' | 'gitlab'): Promise<WorkItem[]> {
  return (await h.deps.store.listItems({ tenantId: 'acme', source_type: sourceType, limit: 500 })).items;
}

describe('depth of data across two sources', () => {
  it('imports everything complete, applies the field map, and links one person across Jira and GitLab by verified email', async () => {
    const jiraJob = await h.deps.jobs.create({
      source_type: 'jira',
      source_config: { base_url: jira.baseUrl, project_key: 'TEST', ...jira.credentials },
      options: { batch_size: 20 },
    }, ctx);
    const gitlabJob = await h.deps.jobs.create({
      source_type: 'gitlab',
      source_config: { base_url: gitlab.baseUrl, token: gitlab.token, project_id: gitlab.project.path },
      options: { batch_size: 20, field_map: { sprint: 'milestone', story_points: 'WEIGHT' } },
    }, ctx);
    for (const id of [jiraJob.job.job_id, gitlabJob.job.job_id]) {
      const done = await h.waitFor(id, undefined, 60_000);
      expect(done).toMatchObject({ status: 'completed', progress: { processed_items: 40, failed_items: 0, partial_items: 0 } });
    }

    const [fromJira, fromGitlab] = [await items('jira'), await items('gitlab')];
    for (const item of [...fromJira, ...fromGitlab]) {
      expect(item.completeness, item.key).toMatchObject({ comments: { state: 'complete' }, history: { state: 'complete' }, attachments: { state: 'complete' } });
    }
    expect(fromJira.some((i) => i.history.length > 0) && fromGitlab.some((i) => i.history.length > 0)).toBe(true);
    expect(fromJira.some((i) => i.attachments.length > 0) && fromGitlab.some((i) => i.attachments.length > 0)).toBe(true);

    // GitLab: the job's map (by id, any case) over the defaults (due date, severity).
    const five = fromGitlab.find((i) => i.key === '#5')!;
    expect(five.fields).toMatchObject({ sprint: 'v1.0', story_points: null });
    const four = fromGitlab.find((i) => i.key === '#4')!;
    expect(four.fields).toMatchObject({ story_points: 5, sprint: null });
    // Jira: the defaults (Story Points, Sprint, duedate) fill what the issues set.
    expect(fromJira.some((i) => typeof i.fields?.story_points === 'number' && i.fields?.sprint !== null)).toBe(true);

    const janeInJira = fromJira.flatMap((i) => [i.assignee, i.reporter]).find((p) => p?.email === 'jane@example.com')!;
    const janeInGitlab = fromGitlab.find((i) => i.key === '#1')!.reporter!;
    expect(janeInJira.person_id).toBeTruthy();
    expect(janeInGitlab.person_id).toBe(janeInJira.person_id);
    const jane = await h.deps.store.getPerson(janeInJira.person_id!, 'acme');
    expect(jane!.accounts.map((a) => [a.source_type, a.linked_by]).sort()).toEqual([['gitlab', 'email'], ['jira', 'email']]);
    // another tenant sees no one
    expect(await h.deps.store.getPerson(janeInJira.person_id!, 'other')).toBeNull();
  });
});
