import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { part, skipped } from '../../src/connectors/item-depth.js';
import { STORE_BACKENDS, sampleItem, type TestStore } from '../support/store.js';

const person = { external_id: 'u1', name: 'Ada', email: 'ada@example.com', email_verified: true };

describe.each(STORE_BACKENDS)('item depth on %s', (_name, open) => {
  let t: TestStore;
  beforeAll(async () => { t = await open(); }, 120_000);
  afterAll(() => t.cleanup());

  test('history, attachments, custom fields, mapped fields and completeness round-trip; partial items are logged as such', async () => {
    const jobId = randomUUID();
    const ctx = { tenantId: 't', sourceType: 'jira' as const, sourceInstance: 'depth.example', jobId, batchNo: 1 };
    const full = sampleItem(1, {
      history: [{ at: '2024-01-02T00:00:00.000Z', actor: person, field: 'status', from: 'To Do', to: 'Done' }],
      attachments: [{ external_id: '10', name: 'a.png', size: 3, media_type: 'image/png', author: person, created_at: null, source_url: 'https://x.example/a', content: null }],
      custom_fields: [{ id: 'customfield_1', name: 'Story Points', type: 'number', value: 3 }],
      fields: { story_points: 3, due_date: null, sprint: null, severity: null },
      completeness: { comments: part(2, 2), history: part(1, 1), attachments: part(1, 1) },
    });
    const cut = sampleItem(2, { completeness: { comments: part(100, 140), history: skipped('include_history: false'), attachments: part(0, 0) } });
    const outcomes = await t.store.upsertBatch(ctx, [full, cut, sampleItem(3)], []);
    expect(outcomes.map((o) => [o.external_id, o.partial])).toEqual([[full.external_id, false], [cut.external_id, true], [sampleItem(3).external_id, false]]);

    const stored = await t.store.getItem(outcomes[0]!.item_id!, 't');
    expect(stored).toMatchObject({ history: full.history, attachments: full.attachments, custom_fields: full.custom_fields, fields: full.fields, completeness: full.completeness });
    const bare = await t.store.getItem(outcomes[2]!.item_id!, 't');
    expect(bare).toMatchObject({ history: [], attachments: [], custom_fields: [], fields: null, completeness: null });

    const partial = await t.store.jobItems(jobId, { completeness: 'partial', limit: 10 });
    expect(partial.items.map((i) => i.external_id)).toEqual([cut.external_id]);
    expect((await t.store.jobItems(jobId, { limit: 10 })).items).toHaveLength(3);

    // A history change alone is a change of content.
    const again = await t.store.upsertBatch({ ...ctx, jobId: randomUUID() }, [{ ...full, history: [...full.history!, { at: null, actor: null, field: 'labels', from: null, to: 'x' }] }], []);
    expect(again[0]!.action).toBe('updated');
  });
});
