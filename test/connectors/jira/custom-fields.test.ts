/** Custom field typing from Jira's schema (and without one), and who counts as a verified email. */
import { describe, expect, it } from 'vitest';
import { customFields } from '../../../src/connectors/jira/custom-fields.js';
import { person } from '../../../src/connectors/jira/values.js';

describe('Jira custom fields', () => {
  it('types by schema: cascading option, DC sprint text, textarea wiki, labels; nulls left out; ids sorted', () => {
    const fields = {
      summary: 'not custom',
      customfield_2: { value: 'Hardware', child: { value: 'Laptop' } },
      customfield_1: ['com.atlassian.greenhopper.service.sprint.Sprint@a1[id=7,rapidViewId=1,state=FUTURE,name=Sprint, the next,startDate=<null>]'],
      customfield_3: 'h1. Notes',
      customfield_4: ['a', 'b'],
      customfield_5: null,
      customfield_6: 'not a number',
    };
    const schema = {
      customfield_1: { type: 'array', items: 'string', custom: 'com.pyxis.greenhopper.jira:gh-sprint' },
      customfield_2: { type: 'option-with-child', custom: 'x:cascadingselect' },
      customfield_3: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textarea' },
      customfield_4: { type: 'array', items: 'string', custom: 'x:labels' },
      customfield_6: { type: 'number' },
    };
    expect(customFields(fields, { customfield_2: 'Device' }, schema)).toEqual([
      { id: 'customfield_1', name: 'customfield_1', type: 'sprint', value: [{ id: 7, name: 'Sprint, the next', state: 'future' }] },
      { id: 'customfield_2', name: 'Device', type: 'option', value: 'Hardware / Laptop' },
      { id: 'customfield_3', name: 'customfield_3', type: 'text', value: '# Notes' },
      { id: 'customfield_4', name: 'customfield_4', type: 'options', value: ['a', 'b'] },
    ]);
  });

  it('without a schema the value decides', () => {
    expect(customFields({ customfield_1: 3, customfield_2: ['x'], customfield_3: { a: 1 }, duedate: '2024-05-01' }, {}, {}).map((f) => [f.id, f.type])).toEqual([
      ['customfield_1', 'number'], ['customfield_2', 'options'], ['customfield_3', 'object'], ['duedate', 'string'],
    ]);
  });
});

describe('Jira people: email_verified', () => {
  it.each([
    ['an Atlassian account showing its email', { accountId: 'a1', accountType: 'atlassian', emailAddress: 'a@x.io' }, true],
    ['an Atlassian account hiding its email', { accountId: 'a1', accountType: 'atlassian' }, false],
    ['a service-management customer', { accountId: 'qm:1', accountType: 'customer', emailAddress: 'c@x.io' }, false],
    ['an app account', { accountId: 'app1', accountType: 'app', emailAddress: 'bot@x.io' }, false],
    ['a Data Center user', { key: 'JIRAUSER1', name: 'jo', emailAddress: 'jo@x.io' }, false],
  ])('%s → %s', (_n, user, verified) => {
    expect(person(user)!.email_verified).toBe(verified);
  });
});
