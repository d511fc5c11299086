/**
 * Depth of data (issue 12) through the ServiceNow connector against the fake instance: history from
 * sys_audit, attachment metadata and content, dictionary-typed custom fields, and completeness that
 * is true (equal to the fake's own rows), partial with a reason when capped or hidden, skipped when
 * not asked; plus the requests each costs.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedItem } from '../../../src/connectors/connector.js';
import { attachmentBytes, sysId } from '../../../src/sandbox/fakes/servicenow-data.js';
import { INCIDENT_SCHEMA, incidentChoices } from '../../../src/sandbox/fakes/servicenow-schema.js';
import { seedIncidents } from '../../../src/sandbox/fakes/servicenow-seed.js';
import type { FakeServiceNow } from '../../../src/sandbox/fakes/servicenow.js';
import type { Row } from '../../../src/sandbox/fakes/servicenow-query.js';
import { connect, drain, startFake } from './helpers.js';

let fake: FakeServiceNow;
afterEach(async () => fake?.close());

const JOURNAL_COLUMNS = new Set(['comments', 'work_notes', 'u_escalation_notes']);
const label = (element: string): string =>
  (INCIDENT_SCHEMA.find((f) => f.element === element && f.table === 'incident') ?? INCIDENT_SCHEMA.find((f) => f.element === element))?.label ?? element;
const iso = (sn: string): string => `${sn.replace(' ', 'T')}Z`;
const byTime = (a: Row, b: Row): number => a.sys_created_on!.localeCompare(b.sys_created_on!) || a.sys_id!.localeCompare(b.sys_id!);

/** What the item's history must be, from the fake's own sys_audit rows. */
function expectedHistory(id: string) {
  const choices = incidentChoices();
  const shown = (field: string, v: string) => (v === '' ? null : choices[field]?.[v] ?? v);
  return fake.data.rows('sys_audit')
    .filter((r) => r.documentkey === id && !JOURNAL_COLUMNS.has(r.fieldname!))
    .sort(byTime)
    .map((r) => ({ at: iso(r.sys_created_on!), actor: { external_id: r.user, name: r.user, email: null }, field: label(r.fieldname!), from: shown(r.fieldname!, r.oldvalue!), to: shown(r.fieldname!, r.newvalue!) }));
}

function expectedAttachments(id: string) {
  return fake.data.rows('sys_attachment').filter((r) => r.table_sys_id === id).sort(byTime).map((r) => ({
    external_id: r.sys_id, name: r.file_name, size: Number(r.size_bytes), media_type: r.content_type,
    author: { external_id: r.sys_created_by, name: r.sys_created_by, email: null }, created_at: iso(r.sys_created_on!),
    source_url: `${fake.baseUrl}/api/now/attachment/${r.sys_id}/file`, content: null,
  }));
}

const journalCount = (id: string) => fake.data.rows('sys_journal_field').filter((r) => r.element_id === id).length;
const byKey = (items: NormalizedItem[], i: number) => items.find((x) => x.external_id === sysId(`incident-${i}`))!;

describe('ServiceNow depth of data', () => {
  it('carries history, attachments and custom fields equal to the instance\'s, every part complete; one request of each per page', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 150, journal: (i) => i % 3, history: (i) => i % 6, attachments: (i) => i % 4 });
    fake.data.update('incident', sysId('incident-7'), { state: '6', impact: '1', short_description: 'edited' }); // audited like a form save
    const { items } = await drain(connect(fake), { batchSize: 100, includeHistory: true });
    expect(items).toHaveLength(150);
    for (const item of items) {
      const id = item.external_id;
      expect(item.history).toEqual(expectedHistory(id));
      expect(item.attachments).toEqual(expectedAttachments(id));
      expect(item.completeness).toEqual({
        comments: { state: 'complete', reason: null, fetched: journalCount(id), total: journalCount(id) },
        history: { state: 'complete', reason: null, fetched: item.history!.length, total: item.history!.length },
        attachments: { state: 'complete', reason: null, fetched: item.attachments!.length, total: item.attachments!.length },
      });
    }
    expect(items.reduce((n, i) => n + i.history!.length, 0)).toBe(Array.from({ length: 150 }, (_, i) => i % 6).reduce((a, b) => a + b, 0) + 3);
    // labels from sys_documentation (English), the incident's own state choices over task's
    expect(byKey(items, 7).history!.slice(-3).map((h) => [h.field, h.from, h.to])).toEqual(
      expect.arrayContaining([['State', 'In Progress', 'Resolved'], ['Impact', '2 - Medium', '1 - High'], ['Short description', 'Email server down #7', 'edited']]),
    );
    expect(byKey(items, 1).history![0]).toMatchObject({ field: 'State', from: null, to: 'New', actor: { external_id: 'beth.anglin' } });

    const fields = Object.fromEntries(byKey(items, 0).custom_fields!.map((f) => [f.id, f]));
    expect(Object.keys(fields).sort()).toEqual(['assignment_group', 'due_date', 'impact', 'severity', 'u_customer_tier', 'u_estimated_cost', 'u_go_live', 'u_reviewer', 'u_root_cause', 'u_story_points', 'urgency']);
    expect(fields).toMatchObject({
      u_story_points: { name: 'Story Points', type: 'number', value: 1 },
      u_estimated_cost: { name: 'Estimated Cost', type: 'number', value: 0.5 },
      u_customer_tier: { name: 'Customer Tier', type: 'option', value: 'Gold' },
      impact: { name: 'Impact', type: 'option', value: '1 - High' },
      severity: { name: 'Severity', type: 'option', value: '3 - Low' },
      due_date: { name: 'Due date', type: 'datetime', value: '2024-01-04T00:00:00Z' },
      u_go_live: { name: 'Go-live Date', type: 'date', value: '2024-01-31' },
      u_reviewer: { name: 'Reviewer', type: 'user', value: { external_id: sysId('user-3'), name: '山田 太郎', email: null } },
      u_root_cause: { name: 'Root Cause', type: 'string', value: 'Root cause 0' },
      assignment_group: { name: 'Assignment group', type: 'object', value: null },
    });
    expect(Object.fromEntries(byKey(items, 7).custom_fields!.map((f) => [f.id, f.value]))).toMatchObject({ u_story_points: null, due_date: null, u_go_live: null, u_reviewer: null });

    // per page: one records, one journal, one sys_audit, one attachment request; the dictionary once; no count needed
    for (const table of ['incident', 'sys_journal_field', 'sys_audit']) expect(fake.tableRequests(table)).toHaveLength(2);
    expect(fake.apiRequests('attachment')).toHaveLength(2);
    expect(fake.apiRequests('stats')).toHaveLength(0);
    for (const table of ['sys_dictionary', 'sys_documentation', 'sys_choice']) expect(fake.tableRequests(table)).toHaveLength(1);
    expect(fake.tableRequests('sys_audit')[0]!.query.get('sysparm_query')).toMatch(/^tablenameINincident\^documentkeyIN[0-9a-f,]+\^fieldnameNOT INDELETED,RECOVERED,comments,u_escalation_notes,work_notes/);
  });

  it('include_history false reads no sys_audit and no counts; history is skipped', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 120, history: () => 3, attachments: (i) => i % 2 });
    const { items } = await drain(connect(fake), { batchSize: 100, includeHistory: false });
    expect(fake.tableRequests('sys_audit')).toHaveLength(0);
    expect(fake.apiRequests('stats')).toHaveLength(0);
    expect(items.every((i) => i.history!.length === 0 && i.completeness!.history.state === 'skipped')).toBe(true);
    expect(items.every((i) => i.completeness!.attachments.state === 'complete')).toBe(true);
    const off = await drain(connect(fake), { includeComments: false });
    expect(off.items.every((i) => i.completeness!.comments.state === 'skipped' && i.completeness!.history.reason === 'include_history is false')).toBe(true);
  });

  it('a capped read is partial with the instance\'s count per record (one Aggregate API request); the records it fully read stay complete', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 40, perSecond: 1, journal: () => 2 });
    const capped = await drain(connect(fake, {}, {}, { journalRowsPerChunk: 40 }), { batchSize: 100 });
    expect(fake.tableRequests('sys_journal_field')).toHaveLength(1); // pages as large as the cap: it stops after the first
    expect(fake.apiRequests('stats')).toHaveLength(1);
    expect(fake.apiRequests('stats')[0]!.query.get('sysparm_group_by')).toBe('element_id');
    const partial = capped.items.filter((i) => i.completeness!.comments.state === 'partial');
    expect(partial.length).toBeGreaterThan(0);
    for (const item of capped.items) {
      const c = item.completeness!.comments;
      expect(c.total).toBe(journalCount(item.external_id));
      expect(c.fetched).toBe(item.comments.length);
      if (c.state === 'partial') expect(c.reason).toBe(`ServiceNow has 2 journal entries for this record, ${c.fetched} read: reading stopped at 40 journal entries per 100 records (policy cap)`);
      else expect(c.fetched).toBe(2);
    }
  });

  it('history capped: partial items name what is missing and count against the Aggregate API', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 30, history: () => 20 });
    const { items } = await drain(connect(fake, {}, {}, { historyRowsPerChunk: 250 }), { batchSize: 100, includeHistory: true });
    expect(fake.tableRequests('sys_audit')).toHaveLength(1); // pages of 1,000 rows: the cap stops after the first
    const stats = fake.apiRequests('stats');
    expect(stats).toHaveLength(1);
    expect(stats[0]!.path).toBe('/api/now/stats/sys_audit');
    expect(Object.fromEntries(stats[0]!.query)).toMatchObject({ sysparm_count: 'true', sysparm_group_by: 'documentkey' });
    for (const item of items) {
      const h = item.completeness!.history;
      expect(h.total).toBe(20);
      expect(h.fetched).toBe(item.history!.length);
      expect(h.state).toBe(h.fetched < 20 ? 'partial' : 'complete');
      if (h.state === 'partial') expect(h.reason).toBe(`ServiceNow has 20 sys_audit rows for this record, ${h.fetched} read: reading stopped at 250 sys_audit rows per 100 records (policy cap)`);
    }
    expect(items.reduce((n, i) => n + i.history!.length, 0)).toBe(250);
  });

  it('rows an ACL hides leave the chunk partial; a sys_audit the account may not read leaves history partial, not the job failed', async () => {
    const hiddenId = sysId('incident-3');
    fake = await startFake({ hidden: (table, row) => table === 'sys_audit' && row.documentkey === hiddenId && row.fieldname === 'priority' });
    seedIncidents(fake.data, { count: 10, history: () => 4 });
    const { items } = await drain(connect(fake), { includeHistory: true });
    expect(fake.apiRequests('stats')).toHaveLength(1); // the gap asks for a count, which the ACL refuses (403)
    for (const item of items) {
      expect(item.completeness!.history).toMatchObject({ state: 'partial', total: null });
      expect(item.completeness!.history.reason).toMatch(/^1 of 40 sys_audit rows of 10 records are hidden from this account \(ACL\); the Aggregate API refused to count them/);
    }
    expect(byKey(items, 3).history).toHaveLength(3);
    await fake.close();

    fake = await startFake({ forbiddenTables: ['sys_audit'] });
    seedIncidents(fake.data, { count: 5, history: () => 2, attachments: () => 1 });
    const refused = await drain(connect(fake), { includeHistory: true });
    expect(refused.items).toHaveLength(5);
    for (const item of refused.items) {
      expect(item.completeness!.history).toEqual({ state: 'partial', reason: 'ServiceNow refused to read sys_audit (HTTP 403): grant read access to it or import with include_history=false', fetched: 0, total: null });
      expect(item.completeness!.attachments.state).toBe('complete');
    }
  });

  it('a dictionary the account may not read is not fatal: column names, text values, stored history values', async () => {
    fake = await startFake({ forbiddenTables: ['sys_dictionary', 'sys_documentation', 'sys_choice'] });
    seedIncidents(fake.data, { count: 4, history: () => 1 });
    const { items } = await drain(connect(fake), { includeHistory: true });
    const fields = Object.fromEntries(byKey(items, 0).custom_fields!.map((f) => [f.id, f]));
    expect(fields.u_story_points).toEqual({ id: 'u_story_points', name: 'u_story_points', type: 'string', value: '1' });
    expect(fields.u_escalation_notes).toMatchObject({ type: 'string', value: null }); // without the dictionary a journal column looks like text
    expect(byKey(items, 0).history).toEqual([expect.objectContaining({ field: 'state', from: null, to: '1' })]);
    expect(items.every((i) => i.completeness!.history.state === 'complete')).toBe(true);
  });

  it('attachmentContent reads the declared bytes with the instance\'s content type, within maxBytes', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 3, attachments: () => 2 });
    const c = connect(fake);
    const { items } = await drain(c);
    const atts = items.flatMap((i) => i.attachments!);
    expect(atts).toHaveLength(6);
    for (const att of atts) {
      const got = await c.attachmentContent!(att, { signal: new AbortController().signal, maxBytes: 1 << 20 });
      expect(got.bytes.length).toBe(att.size);
      expect(createHash('sha256').update(got.bytes).digest('hex')).toBe(createHash('sha256').update(attachmentBytes(att.external_id, att.size!)).digest('hex'));
      expect(got.media_type).toBe(att.media_type);
    }
    const file = fake.apiRequests('attachment').find((r) => r.path.endsWith('/file'))!;
    expect(file.path).toBe(`/api/now/attachment/${atts[0]!.external_id}/file`);
    await expect(c.attachmentContent!(atts[0]!, { signal: new AbortController().signal, maxBytes: 10 })).rejects.toMatchObject({ code: 'SOURCE_RESPONSE_INVALID' });
  });

  it('fetchOne carries history and attachments like a page', async () => {
    fake = await startFake();
    seedIncidents(fake.data, { count: 3, history: () => 5, attachments: () => 1, journal: () => 1 });
    const id = sysId('incident-2');
    const c = connect(fake);
    const read = await c.fetchOne!(id, { signal: new AbortController().signal, includeHistory: true });
    const item = c.normalize((read as { record: unknown }).record);
    expect(item.history).toEqual(expectedHistory(id));
    expect(item.attachments).toEqual(expectedAttachments(id));
    expect(item.completeness).toMatchObject({ comments: { state: 'complete', fetched: 1 }, history: { state: 'complete', fetched: 5 }, attachments: { state: 'complete', fetched: 1 } });
  });
});
