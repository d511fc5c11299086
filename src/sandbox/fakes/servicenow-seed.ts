/**
 * Deterministic incidents for the fake ServiceNow instance: realistic field values (numbers
 * INC00100xx, labelled states and priorities, unicode user names, every fifth incident
 * unassigned, several incidents created in the same second so the (sys_created_on, sys_id)
 * order matters, sys_ids in an order unrelated to creation), plus comments and work notes
 * in sys_journal_field (some with [code]…[/code] HTML, as journal fields allow).
 */
import { snTime, sysId, type ServiceNowData } from './servicenow-data.js';
import type { Row } from './servicenow-query.js';

export const USERS = ['Abel Tuter', 'Beth Anglin', 'Zoë Ångström', '山田 太郎', 'David Miller', 'Fred Luddy'];
const STATES = ['1', '2', '3', '6', '7', '8'];
const CATEGORIES = ['software', 'hardware', 'network', 'inquiry', ''];

export interface SeedOptions {
  count: number;
  /** journal entries of incident i (default 0) */
  journal?: (i: number) => number;
  /** description of incident i (default a plain text line) */
  description?: (i: number) => string;
  /** incidents sharing one sys_created_on second (default 7) */
  perSecond?: number;
  /** index of the first incident (to seed more later) */
  from?: number;
}

export function seedUsers(data: ServiceNowData): string[] {
  return USERS.map((name, i) =>
    data.put('sys_user', {
      sys_id: sysId(`user-${i}`), name, user_name: name.toLowerCase().replace(/\s+/g, '.'), email: `u${i}@example.com`,
      sys_created_on: '2020-01-01 00:00:00', sys_updated_on: '2020-01-01 00:00:00',
    }).sys_id!,
  );
}

export function incidentNumber(i: number): string {
  return `INC${String(10001 + i).padStart(7, '0')}`;
}

export function seedIncidents(data: ServiceNowData, opts: SeedOptions): Row[] {
  const users = data.rows('sys_user').length > 0 ? data.rows('sys_user').map((u) => u.sys_id!) : seedUsers(data);
  const group = data.put('sys_user_group', { sys_id: sysId('group-0'), name: 'Service Desk' }).sys_id!;
  const start = Date.UTC(2024, 0, 1);
  const perSecond = opts.perSecond ?? 7;
  const rows: Row[] = [];
  for (let i = opts.from ?? 0; i < (opts.from ?? 0) + opts.count; i++) {
    const created = start + Math.floor(i / perSecond) * 1000;
    const state = STATES[i % STATES.length]!;
    const id = sysId(`incident-${i}`);
    rows.push(
      data.put('incident', {
        sys_id: id, number: incidentNumber(i), short_description: `Email server down #${i}`,
        description: opts.description?.(i) ?? `User reports issue ${i}.\nSteps: restart < 5 min > nothing.`,
        state, priority: String((i % 5) + 1), category: CATEGORIES[i % CATEGORIES.length]!,
        assigned_to: i % 5 === 0 ? '' : users[i % users.length]!, caller_id: users[(i + 1) % users.length]!,
        opened_by: users[(i + 2) % users.length]!, assignment_group: i % 3 === 0 ? '' : group,
        opened_at: snTime(created), sys_created_on: snTime(created), sys_updated_on: snTime(created + 3600_000),
        resolved_at: ['6', '7'].includes(state) ? snTime(created + 7200_000) : '',
        closed_at: state === '7' ? snTime(created + 9000_000) : '',
        active: ['7', '8'].includes(state) ? 'false' : 'true', sys_created_by: 'admin', sys_updated_by: 'admin',
        sys_mod_count: '1', sys_class_name: 'incident',
      }),
    );
    const entries = opts.journal?.(i) ?? 0;
    for (let j = 0; j < entries; j++) {
      const element = j % 2 === 0 ? 'comments' : 'work_notes';
      const value = j % 3 === 2 ? `See [code]<b>log</b> of run ${j}[/code] for ${i}` : `Note ${j} on incident ${i}`;
      data.addJournal(id, element, value, 'beth.anglin', snTime(created + (j + 1) * 60_000));
    }
  }
  return rows;
}
