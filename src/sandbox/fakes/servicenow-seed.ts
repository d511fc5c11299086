/**
 * Deterministic incidents for the fake ServiceNow instance: realistic field values (numbers
 * INC00100xx, labelled states and priorities, unicode user names, every fifth incident
 * unassigned, several incidents created in the same second so the (sys_created_on, sys_id)
 * order matters, sys_ids in an order unrelated to creation), plus comments and work notes
 * in sys_journal_field (some with [code]…[/code] HTML, as journal fields allow), field changes in
 * sys_audit, attachments, and the standard and custom fields of servicenow-schema.ts.
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
  /** field changes in sys_audit of incident i (default 0; journal entries add their own audit rows) */
  history?: (i: number) => number;
  /** attachments of incident i (default 0) */
  attachments?: (i: number) => number;
}

const TIERS = ['gold', 'silver', 'bronze'];
const MEDIA = [['txt', 'text/plain'], ['png', 'image/png'], ['pdf', 'application/pdf']] as const;

/** Standard and custom field values of incident i (servicenow-schema.ts); some left empty. */
export function depthValues(i: number, users: string[], created: number): Row {
  return {
    impact: String((i % 3) + 1), urgency: String(((i + 1) % 3) + 1), severity: '3',
    due_date: i % 4 === 0 ? snTime(created + 3 * 86_400_000) : '',
    u_story_points: i % 8 === 7 ? '' : String([1, 2, 3, 5, 8, 13, 21][i % 8]),
    u_customer_tier: TIERS[i % 3]!, u_estimated_cost: `${i * 10}.50`,
    u_go_live: i % 5 === 0 ? snTime(created + 30 * 86_400_000).slice(0, 10) : '',
    u_reviewer: i % 2 === 0 ? users[(i + 3) % users.length]! : '', u_root_cause: i % 3 === 0 ? `Root cause ${i}` : '',
  };
}

/** Field changes of incident i, as sys_audit rows a few minutes apart (state, priority, assignee, a custom field, in turn). */
function seedHistory(data: ServiceNowData, id: string, i: number, n: number, users: string[], created: number): void {
  for (let j = 0; j < n; j++) {
    const at = snTime(created + (j + 1) * 30_000);
    const user = j % 2 === 0 ? 'beth.anglin' : 'abel.tuter';
    switch (j % 4) {
      case 0: data.addAudit(id, 'state', j === 0 ? '' : '1', j === 0 ? '1' : '2', user, at, String(j)); break;
      case 1: data.addAudit(id, 'priority', '4', '3', user, at, String(j)); break;
      case 2: data.addAudit(id, 'assigned_to', '', users[(i + j) % users.length]!, user, at, String(j)); break;
      default: data.addAudit(id, 'u_story_points', String(j), String(j + 1), user, at, String(j));
    }
  }
}

function seedAttachments(data: ServiceNowData, id: string, i: number, n: number, created: number): void {
  for (let j = 0; j < n; j++) {
    const [ext, type] = MEDIA[(i + j) % MEDIA.length]!;
    data.addAttachment(id, { file_name: `evidence-${i}-${j}.${ext}`, size: 64 + ((i * 37 + j * 101) % 4000), content_type: type, by: 'beth.anglin', at: snTime(created + (j + 1) * 45_000) });
  }
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
        sys_mod_count: '1', sys_class_name: 'incident', ...depthValues(i, users, created),
      }),
    );
    seedHistory(data, id, i, opts.history?.(i) ?? 0, users, created);
    seedAttachments(data, id, i, opts.attachments?.(i) ?? 0, created);
    const entries = opts.journal?.(i) ?? 0;
    for (let j = 0; j < entries; j++) {
      const element = j % 2 === 0 ? 'comments' : 'work_notes';
      const value = j % 3 === 2 ? `See [code]<b>log</b> of run ${j}[/code] for ${i}` : `Note ${j} on incident ${i}`;
      data.addJournal(id, element, value, 'beth.anglin', snTime(created + (j + 1) * 60_000));
    }
  }
  return rows;
}
