/**
 * Issue 12 for GitLab against the fake: history from resource events (paged past 100), uploads
 * linked from Markdown with their bytes, custom fields (Premium ones only where the server has
 * them) and completeness flags that are true; requests per item with and without history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedItem } from '../../../src/connectors/connector.js';
import { mapFields } from '../../../src/items/field-map.js';
import { gitlabModule } from '../../../src/connectors/gitlab/index.js';
import { uploadBytes } from '../../../src/sandbox/fakes/gitlab-data.js';
import type { GitLabFake } from '../../../src/sandbox/fakes/gitlab.js';
import { countRequests } from '../../../src/sandbox/fakes/vendor-fake.js';
import { collect, connectorFor, startFake } from './helpers.js';

let fake: GitLabFake;
afterEach(async () => fake?.close());

const EVENTS = /\/resource_(state|label|milestone)_events/;

async function importAll(o: { includeHistory?: boolean; includeComments?: boolean } = {}) {
  const { connector } = connectorFor(fake);
  const run = await collect(connector, { batchSize: 50, ...o });
  return { connector, items: run.records.map((r) => connector.normalize(r)) };
}

describe('GitLab depth of data', () => {
  it('history is every state, label and milestone event, oldest first, paged past 100; completeness is true', async () => {
    fake = await startFake();
    // issue 3 (labels bug, backend) toggles a label 60 times: 122 label events, two pages
    fake.project.seed(30, { labelToggles: (i) => (i === 3 ? 60 : i % 3) });
    const { items } = await importAll({ includeHistory: true });
    expect(items).toHaveLength(30);
    for (const item of items) {
      const iid = Number(item.key.slice(1));
      const ev = fake.project.events.get(iid)!;
      expect(item.history).toHaveLength(ev.state.length + ev.label.length + ev.milestone.length);
      expect(item.completeness).toMatchObject({ comments: { state: 'complete' }, history: { state: 'complete' }, attachments: { state: 'complete' } });
      const times = item.history!.map((h) => h.at ?? '');
      expect([...times].sort()).toEqual(times);
    }
    const busy = items.find((i) => i.key === '#3')!;
    expect(busy.history!.filter((h) => h.field === 'labels')).toHaveLength(122);
    expect(busy.history![2]).toMatchObject({ field: 'labels', from: 'bug', to: null, actor: { external_id: String(fake.project.issue(3).author && (fake.project.issue(3).author as { id: number }).id) } });
    const closed = items.find((i) => i.key === '#6')!;
    expect(closed.history!.find((h) => h.field === 'state')).toMatchObject({ from: 'opened', to: 'closed', at: fake.project.issue(6).closed_at });
    const milestoned = items.find((i) => i.key === '#5')!;
    expect(milestoned.history!.find((h) => h.field === 'milestone')).toMatchObject({ from: null, to: 'v1.0' });
  });

  it('costs three requests per issue with history and none without', async () => {
    fake = await startFake();
    fake.project.seed(200);
    await importAll({ includeHistory: false });
    const without = fake.requests.length;
    expect(countRequests(fake, EVENTS)).toBe(0);
    fake.requests = [];
    const { items } = await importAll({ includeHistory: true });
    const withHistory = fake.requests.length;
    expect(countRequests(fake, EVENTS)).toBe(600);
    expect(items.every((i) => i.completeness!.history.state === 'complete')).toBe(true);
    console.log(`GitLab requests per item, 200 issues: ${(without / 200).toFixed(3)} without history, ${(withHistory / 200).toFixed(3)} with`);
    const { items: off } = await importAll({ includeHistory: false });
    expect(off.every((i) => i.history!.length === 0 && i.completeness!.history.state === 'skipped')).toBe(true);
  });

  it('uploads linked from descriptions are attachments whose bytes come through the connector, token on this origin only', async () => {
    fake = await startFake();
    fake.project.seed(12, { uploads: (i) => (i === 2 ? 2 : i === 7 ? 1 : 0) });
    const { connector, items } = await importAll();
    const two = items.find((i) => i.key === '#2')!;
    expect(two.attachments!.map((a) => a.name)).toEqual(['screenshot 2-0.png', 'screenshot 2-1.png']);
    expect(two.attachments![0]).toMatchObject({ size: null, content: null, author: two.reporter, created_at: two.created_at });
    expect(two.attachments![0]!.source_url).toMatch(/\/api\/v4\/projects\/acme%2Fplatform%2Fapi\/uploads\/[0-9a-f]{32}\/screenshot%202-0\.png$/);
    const upload = fake.project.uploads.get(two.attachments![0]!.external_id)!;
    const got = await connector.attachmentContent!(two.attachments![0]!, { signal: new AbortController().signal, maxBytes: 1 << 20 });
    expect(got.bytes.equals(uploadBytes(upload))).toBe(true);
    expect(got.media_type).toBe('image/png');
    const hit = fake.requests.find((r) => r.path.includes('/uploads/'))!;
    expect(hit).toBeDefined();
    // a path that climbs out of the uploads is no upload: not listed, and never fetched with the token
    const project = fake.project.issue(3);
    project.description = `see [x](/uploads/${'a'.repeat(32)}/..%2F..%2Fuser) and [y](/uploads/${'b'.repeat(32)}/../../../user)`;
    const { items: again } = await importAll();
    expect(again.find((i) => i.key === '#3')!.attachments).toEqual([]);
    const climbing = { ...two.attachments![0]!, source_url: two.attachments![0]!.source_url!.replace(/[^/]+$/, '..%2F..%2F..%2Fuser') };
    await expect(connector.attachmentContent!(climbing, { signal: new AbortController().signal, maxBytes: 10 })).rejects.toThrow(/not an upload of this project/);
    const dotted = { ...two.attachments![0]!, source_url: two.attachments![0]!.source_url!.replace(/\/[0-9a-f]{32}\/[^/]+$/, `/${'c'.repeat(32)}/../../../../user`) };
    await expect(connector.attachmentContent!(dotted, { signal: new AbortController().signal, maxBytes: 10 })).rejects.toThrow(/not an upload of this project/);
    expect(fake.requests.some((r) => r.path.endsWith('/user'))).toBe(false);
    // a link to another host is not this project's upload: never fetched with the token
    await expect(connector.attachmentContent!({ ...two.attachments![0]!, source_url: 'https://evil.example/uploads/x' }, { signal: new AbortController().signal, maxBytes: 10 })).rejects.toThrow(/not an upload of this project/);
  });

  it('custom fields are typed and named; the default field map fills story points, due date, sprint and severity', async () => {
    fake = await startFake();
    fake.project.seed(12);
    const { items } = await importAll();
    const byKey = (k: string): NormalizedItem => items.find((i) => i.key === k)!;
    // #10: milestone v1.0 (due 2024-06-30), weight 3, incident HIGH; #4: weight 5, no milestone; #6: iteration, due date none
    expect(byKey('#10').custom_fields).toEqual(expect.arrayContaining([
      { id: 'milestone', name: 'Milestone', type: 'option', value: 'v1.0' },
      { id: 'milestone_due_date', name: 'Milestone due date', type: 'date', value: '2024-06-30' },
      { id: 'severity', name: 'Severity', type: 'option', value: 'high' },
      { id: 'due_date', name: 'Due date', type: 'date', value: '2024-05-01' },
    ]));
    expect(byKey('#4').custom_fields).toContainEqual({ id: 'weight', name: 'Weight', type: 'number', value: 5 });
    const six = byKey('#6').custom_fields!;
    expect(six).toContainEqual({ id: 'iteration', name: 'Iteration', type: 'option', value: '2024-01-01 – 2024-01-14' });
    expect(mapFields(byKey('#10').custom_fields!, gitlabModule.defaultFieldMap!)).toEqual({ story_points: 3, due_date: '2024-05-01', sprint: null, severity: 'high' });
    expect(mapFields(byKey('#4').custom_fields!, gitlabModule.defaultFieldMap!)).toMatchObject({ story_points: 5 });
  });

  it('a Community Edition server is asked again without the Premium fields, once, and the rest still comes', async () => {
    fake = await startFake({ edition: 'ce' });
    fake.project.seed(30);
    const { items } = await importAll();
    const posts = fake.requests.filter((r) => r.path === '/api/graphql');
    expect(posts).toHaveLength(2); // the refused one, then the page without weight/iteration/health status
    expect(items).toHaveLength(30);
    expect(items.find((i) => i.key === '#10')!.custom_fields).toContainEqual({ id: 'milestone', name: 'Milestone', type: 'option', value: 'v1.0' });
    expect(items.every((i) => !i.custom_fields!.some((f) => f.id === 'weight'))).toBe(true);
  });

  it('without comments, uploads in comments cannot be known: attachments partial with the reason, comments skipped', async () => {
    fake = await startFake();
    fake.project.seed(8, { userNotes: (i) => (i === 1 ? 2 : 0) });
    const { items } = await importAll({ includeComments: false });
    const one = items.find((i) => i.key === '#1')!;
    expect(one.completeness!.comments).toMatchObject({ state: 'skipped' });
    expect(one.completeness!.attachments).toMatchObject({ state: 'partial', reason: expect.stringContaining('comments were not all read') });
    expect(items.find((i) => i.key === '#2')!.completeness!.attachments.state).toBe('complete');
  });
});
