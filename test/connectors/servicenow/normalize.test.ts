/**
 * normalize() on records shaped like the Table API's documented examples (c_TableAPI.md):
 * every value a string, references as objects or "", display_value=all pairs.
 */
import { describe, expect, it } from 'vitest';
import { identify, normalize, statusCategory } from '../../../src/connectors/servicenow/normalize.js';
import { snDateToIso } from '../../../src/connectors/servicenow/fields.js';

const ctx = { baseUrl: 'https://acme.service-now.com/', table: 'incident' };
const SYS_ID = 'a9e30c7dc61122760116894de7bcc7bd';
const CALLER = '46c6f9efa9fe198101ddf5eed9adf6e7';
const pair = (value: string, display = value) => ({ display_value: display, value });

/** display_value=all with exclude_reference_link, as the connector requests it */
function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sys_id: pair(SYS_ID), number: pair('INC0000046'), short_description: pair("Can't access SFA software"),
    description: pair(''), state: pair('2', 'In Progress'), priority: pair('3', '3 - Moderate'),
    category: pair('software', 'Software'), assigned_to: pair(''), caller_id: pair(CALLER, 'Joe Employee'),
    opened_by: pair(CALLER, 'Joe Employee'), opened_at: pair('2015-11-02 22:04:15', '2015-11-02 14:04:15'),
    closed_at: pair(''), resolved_at: pair(''), sys_created_on: pair('2015-11-01 22:05:30'),
    sys_updated_on: pair('2015-11-01 22:37:27', '2015-11-01 14:37:27'), parent: pair(''), parent_incident: pair(''),
    active: pair('true'), sys_class_name: pair('incident', 'Incident'), comments: pair(''),
    ...overrides,
  };
}

describe('normalize', () => {
  it('maps a display_value=all incident', () => {
    const journal = [
      { sys_id: 'j2', element_id: SYS_ID, element: 'work_notes', value: 'Escalated [code]<b>now</b>[/code]', sys_created_on: '2015-11-03 10:00:00', sys_created_by: 'beth.anglin' },
      { sys_id: 'j1', element_id: SYS_ID, element: 'comments', value: 'Any update?', sys_created_on: '2015-11-02 23:00:00', sys_created_by: 'joe.employee' },
    ];
    const item = normalize({ record: record(), journal }, ctx);
    expect(item).toMatchObject({
      external_id: SYS_ID, key: 'INC0000046', project: 'incident', title: "Can't access SFA software", description: null,
      status: 'In Progress', status_category: 'in_progress', priority: '3 - Moderate', item_type: 'Software',
      assignee: null, reporter: { external_id: CALLER, name: 'Joe Employee', email: null }, labels: [],
      url: `https://acme.service-now.com/nav_to.do?uri=%2Fincident.do%3Fsys_id%3D${SYS_ID}`, parent_external_id: null,
      created_at: '2015-11-02T22:04:15Z', updated_at: '2015-11-01T22:37:27Z', closed_at: null,
    });
    expect(item.comments).toEqual([
      { external_id: 'j1', author: { external_id: 'joe.employee', name: 'joe.employee', email: null }, body: 'Any update?', created_at: '2015-11-02T23:00:00Z', internal: false },
      { external_id: 'j2', author: { external_id: 'beth.anglin', name: 'beth.anglin', email: null }, body: 'Escalated **now**', created_at: '2015-11-03T10:00:00Z', internal: true },
    ]);
    expect(item.raw).toEqual(record());
  });

  it('reads the plain display_value=false shape: strings, {link,value} references and "" for empty ones', () => {
    const plain = {
      sys_id: SYS_ID, number: 'INC0000046', short_description: 'x', state: '7', priority: '4', assigned_to: '',
      caller_id: { link: `https://acme.service-now.com/api/now/table/sys_user/${CALLER}`, value: CALLER },
      closed_at: '2016-01-19 04:52:04', description: '<p>Switch <b>drops</b></p>', sys_class_name: 'incident',
    };
    const item = normalize({ record: plain, journal: [] }, ctx);
    expect(item.assignee).toBeNull();
    expect(item.reporter).toEqual({ external_id: CALLER, name: null, email: null });
    expect(item.status_category).toBe('done');
    expect(item.closed_at).toBe('2016-01-19T04:52:04Z');
    expect(item.description).toBe('Switch **drops**');
  });

  it('falls back to resolved_at, parent_incident and opened_by', () => {
    const item = normalize({
      record: record({ resolved_at: pair('2016-01-01 10:00:00'), parent_incident: pair('b'.repeat(32), 'INC1'), caller_id: '' }),
      journal: [],
    }, ctx);
    expect(item.closed_at).toBe('2016-01-01T10:00:00Z');
    expect(item.parent_external_id).toBe('b'.repeat(32));
    expect(item.reporter?.name).toBe('Joe Employee');
  });

  it('uses the record class for the url when importing a parent table', () => {
    const item = normalize({ record: record({ sys_class_name: pair('incident') }), journal: [] }, { ...ctx, table: 'task' });
    expect(item.url).toContain('%2Fincident.do%3Fsys_id%3D');
    expect(item.project).toBe('task');
  });

  it('refuses a record without a sys_id, and identify still names it', () => {
    const raw = { record: record({ sys_id: pair('') }), journal: [] };
    expect(() => normalize(raw, ctx)).toThrow(/sys_id/);
    expect(identify(raw)).toEqual({ external_id: '', key: 'INC0000046' });
    expect(identify('garbage')).toEqual({ external_id: '', key: null });
  });
});

describe('statusCategory', () => {
  it.each([
    ['1', 'New', 'incident', 'true', 'todo'],
    ['2', 'In Progress', 'incident', 'true', 'in_progress'],
    ['3', 'On Hold', 'incident', 'true', 'in_progress'],
    ['6', 'Resolved', 'incident', 'true', 'done'],
    ['7', 'Closed', 'incident', 'false', 'done'],
    ['8', 'Canceled', 'incident', 'false', 'done'],
    ['3', 'Closed Complete', 'sc_task', 'false', 'done'],
    ['1', 'Open', 'sc_task', 'true', 'todo'],
    ['2', 'Work in Progress', 'sc_task', 'true', 'in_progress'],
    ['101', 'New', 'problem', 'true', 'todo'],
    ['106', 'Resolved', 'problem', 'true', 'done'],
    ['-1', 'Implement', 'change_request', 'true', 'in_progress'],
  ])('state %s (%s) on %s, active=%s → %s', (value, label, table, active, expected) => {
    const rec = { state: pair(value, label), active: pair(active), sys_class_name: pair(table) };
    expect(statusCategory(rec, table)).toBe(expected);
  });
});

describe('snDateToIso', () => {
  it.each([
    ['2015-11-01 22:05:30', '2015-11-01T22:05:30Z'],
    ['', null],
    ['2015-11-01T22:05:30Z', null],
    ['2015-13-45 99:00:00', null],
  ])('%s → %s', (input, expected) => {
    expect(snDateToIso(input)).toBe(expected);
  });
});
