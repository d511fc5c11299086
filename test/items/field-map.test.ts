import { describe, expect, test } from 'vitest';
import { effectiveFieldMap, mapFields } from '../../src/items/field-map.js';
import type { CustomField } from '../../src/connectors/item-depth.js';

const fields: CustomField[] = [
  { id: 'customfield_10016', name: 'Story Points', type: 'number', value: 5 },
  { id: 'customfield_10020', name: 'Sprint', type: 'options', value: [{ name: 'Sprint 1' }, { name: 'Sprint 2' }] },
  { id: 'duedate', name: 'Due date', type: 'date', value: '2026-03-01' },
  { id: 'u_severity', name: 'Severity', type: 'option', value: { value: '2', display_value: '2 - High' } },
  { id: 'customfield_10030', name: 'Estimate text', type: 'string', value: 'about five' },
];

describe('field map', () => {
  test('fills each normalized field by id or display name, any case, with its type', () => {
    expect(mapFields(fields, { story_points: 'story points', sprint: 'CUSTOMFIELD_10020', due_date: 'duedate', severity: 'Severity' })).toEqual({
      story_points: 5, sprint: 'Sprint 2', due_date: '2026-03-01', severity: '2',
    });
  });

  test('a value of the wrong type or a name that matches nothing leaves the field null', () => {
    expect(mapFields(fields, { story_points: 'Estimate text', severity: 'no such field' })).toEqual({
      story_points: null, sprint: null, due_date: null, severity: null,
    });
  });

  test('a date-time becomes its date; the job map wins over the connector defaults', () => {
    const withTime: CustomField[] = [{ id: 'due', name: 'Due', type: 'datetime', value: '2026-04-02T10:00:00Z' }, ...fields];
    const map = effectiveFieldMap({ due_date: 'due' }, { due_date: 'duedate', story_points: 'customfield_10016' })!;
    expect(mapFields(withTime, map)).toMatchObject({ due_date: '2026-04-02', story_points: 5 });
    expect(effectiveFieldMap(undefined, undefined)).toBeNull();
  });
});

describe('field map with several references', () => {
  test('the first reference present wins, so one default covers fields named differently per project', () => {
    const teamManaged: CustomField[] = [{ id: 'customfield_10016', name: 'Story point estimate', type: 'number', value: 8 }];
    const map = { story_points: ['Story Points', 'Story point estimate'] };
    expect(mapFields(teamManaged, map).story_points).toBe(8);
    expect(mapFields(fields, map).story_points).toBe(5);
    expect(mapFields([], map).story_points).toBeNull();
  });
});
