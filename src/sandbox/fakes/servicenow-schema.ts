/**
 * The fake instance's data dictionary for incident (and the task fields it inherits), served as
 * the platform stores it in sys_dictionary (name, element, internal_type, reference, choice),
 * sys_documentation (name, element, label, language) and sys_choice (name, element, value, label,
 * language, inactive). Per the docs, a table extending task has its inherited columns' entries under
 * name=task, and the table itself has an entry with an empty element.
 * (https://docs.servicenow.com/bundle/washingtondc-application-development/page/administer/managing-data/concept/c_DataDictionaryTables.html;
 * choice 0 = none, 1 = dropdown with -- None --, 3 = dropdown without.)
 */
import type { Row } from './servicenow-query.js';

export interface FieldSpec {
  table: 'task' | 'incident';
  element: string;
  label: string;
  type: string;
  reference?: string;
  choices?: Record<string, string>;
}

export const STATE_LABELS = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };
export const PRIORITY_LABELS = { '1': '1 - Critical', '2': '2 - High', '3': '3 - Moderate', '4': '4 - Low', '5': '5 - Planning' };
export const CATEGORY_LABELS = { inquiry: 'Inquiry / Help', software: 'Software', hardware: 'Hardware', network: 'Network', database: 'Database' };
const LEVELS = { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' };
export const TIER_LABELS = { gold: 'Gold', silver: 'Silver', bronze: 'Bronze' };

export const INCIDENT_SCHEMA: FieldSpec[] = [
  { table: 'task', element: 'number', label: 'Number', type: 'string' },
  { table: 'task', element: 'short_description', label: 'Short description', type: 'string' },
  { table: 'task', element: 'description', label: 'Description', type: 'string' },
  { table: 'task', element: 'state', label: 'State', type: 'integer', choices: { '1': 'Open', '3': 'Closed Complete' } },
  { table: 'incident', element: 'state', label: 'State', type: 'integer', choices: STATE_LABELS },
  { table: 'task', element: 'priority', label: 'Priority', type: 'integer', choices: PRIORITY_LABELS },
  { table: 'incident', element: 'category', label: 'Category', type: 'string', choices: CATEGORY_LABELS },
  { table: 'task', element: 'assigned_to', label: 'Assigned to', type: 'reference', reference: 'sys_user' },
  { table: 'incident', element: 'caller_id', label: 'Caller', type: 'reference', reference: 'sys_user' },
  { table: 'task', element: 'opened_by', label: 'Opened by', type: 'reference', reference: 'sys_user' },
  { table: 'task', element: 'assignment_group', label: 'Assignment group', type: 'reference', reference: 'sys_user_group' },
  { table: 'incident', element: 'parent_incident', label: 'Parent Incident', type: 'reference', reference: 'incident' },
  { table: 'task', element: 'opened_at', label: 'Opened', type: 'glide_date_time' },
  { table: 'task', element: 'closed_at', label: 'Closed', type: 'glide_date_time' },
  { table: 'incident', element: 'resolved_at', label: 'Resolved', type: 'glide_date_time' },
  { table: 'task', element: 'active', label: 'Active', type: 'boolean' },
  { table: 'task', element: 'comments', label: 'Additional comments', type: 'journal_input' },
  { table: 'task', element: 'work_notes', label: 'Work notes', type: 'journal_input' },
  { table: 'task', element: 'impact', label: 'Impact', type: 'integer', choices: LEVELS },
  { table: 'task', element: 'urgency', label: 'Urgency', type: 'integer', choices: LEVELS },
  { table: 'incident', element: 'severity', label: 'Severity', type: 'integer', choices: LEVELS },
  { table: 'task', element: 'due_date', label: 'Due date', type: 'due_date' },
  { table: 'incident', element: 'u_story_points', label: 'Story Points', type: 'integer' },
  { table: 'incident', element: 'u_customer_tier', label: 'Customer Tier', type: 'string', choices: TIER_LABELS },
  { table: 'incident', element: 'u_estimated_cost', label: 'Estimated Cost', type: 'decimal' },
  { table: 'incident', element: 'u_go_live', label: 'Go-live Date', type: 'glide_date' },
  { table: 'incident', element: 'u_reviewer', label: 'Reviewer', type: 'reference', reference: 'sys_user' },
  { table: 'incident', element: 'u_root_cause', label: 'Root Cause', type: 'string' },
  { table: 'incident', element: 'u_escalation_notes', label: 'Escalation Notes', type: 'journal' },
];

/** The columns the schema adds to incident beyond the fake's original ones. */
export const DEPTH_FIELDS = ['impact', 'urgency', 'severity', 'due_date', 'u_story_points', 'u_customer_tier', 'u_estimated_cost', 'u_go_live', 'u_reviewer', 'u_root_cause', 'u_escalation_notes'];

/** The choice lists incident rows render with: the incident's own over task's. */
export function incidentChoices(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const f of INCIDENT_SCHEMA) if (f.choices && (f.table === 'incident' || !out[f.element])) out[f.element] = f.choices;
  return out;
}

const rowId = (kind: string, n: number): string => `${kind}${String(n).padStart(32 - kind.length, '0')}`;

export function dictionaryRows(): { dictionary: Row[]; documentation: Row[]; choices: Row[] } {
  const created = '2019-01-01 00:00:00';
  const dictionary: Row[] = [{ sys_id: rowId('d', 0), sys_created_on: created, name: 'incident', element: '', internal_type: 'collection', reference: '', choice: '0' }];
  const documentation: Row[] = [];
  const choices: Row[] = [];
  INCIDENT_SCHEMA.forEach((f, i) => {
    dictionary.push({ sys_id: rowId('d', i + 1), sys_created_on: created, name: f.table, element: f.element, internal_type: f.type, reference: f.reference ?? '', choice: f.choices ? '1' : '0' });
    documentation.push({ sys_id: rowId('e', i + 1), sys_created_on: created, name: f.table, element: f.element, label: f.label, language: 'en' });
    documentation.push({ sys_id: rowId('f', i + 1), sys_created_on: created, name: f.table, element: f.element, label: `${f.label} (de)`, language: 'de' });
    for (const [value, label] of Object.entries(f.choices ?? {})) {
      choices.push({ sys_id: rowId('c', choices.length + 1), sys_created_on: created, name: f.table, element: f.element, value, label, language: 'en', inactive: 'false' });
    }
  });
  return { dictionary, documentation, choices };
}
