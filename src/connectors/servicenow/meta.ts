/**
 * What the instance says about the imported table's fields, read once per job (three Table API
 * requests): types and reference targets from sys_dictionary, labels from sys_documentation (the
 * "Field Labels" language file), choice labels from sys_choice — all in English, the platform's base
 * language. (https://docs.servicenow.com/bundle/washingtondc-application-development/page/administer/managing-data/concept/c_DataDictionaryTables.html:
 * Dictionary Entries [sys_dictionary] "defines every table and field", Field Labels [sys_documentation].)
 *
 * Fields are inherited: incident's impact, urgency and due_date are defined on task. The table's own
 * entries are read together with task's (`nameIN<table>,task`) and win over them; a table that does
 * not extend task simply has no record fields task's entries could name.
 *
 * Reading these tables often needs more than the import's role: a refusal (or an unknown table) is
 * not fatal — custom fields are then named by their column names and typed as text, and history
 * shows stored values. Outages and rate limits still fail the page like any other request.
 */
import { SourceError } from '../../errors.js';
import type { Logger } from 'pino';
import type { SourceHttp } from '../../outbound/types.js';
import { collectPages } from '../kit/walker.js';
import { startCursor } from './cursor.js';
import { value, type SnRecord } from './fields.js';
import { scanListing } from './scan.js';

export interface FieldDef {
  element: string;
  /** sys_dictionary internal_type: integer, decimal, glide_date, glide_date_time, reference, string, journal… */
  type: string;
  /** the referenced table, for references */
  reference: string;
  /** sys_dictionary `choice`: a choice list (1 dropdown with -- None --, 3 dropdown without) */
  choice: boolean;
}

export interface TableMeta {
  fields: Map<string, FieldDef>;
  labels: Map<string, string>;
  /** element → stored value → label */
  choices: Map<string, Map<string, string>>;
}

export const EMPTY_META: TableMeta = { fields: new Map(), labels: new Map(), choices: new Map() };

export function labelOf(meta: TableMeta, element: string): string {
  return meta.labels.get(element) ?? element;
}

/** The table first, then task: later entries never replace the table's own. */
function tablesOf(table: string): string[] {
  return table === 'task' ? ['task'] : [table, 'task'];
}

async function readAll(http: SourceHttp, table: string, query: string, fields: string, signal: AbortSignal): Promise<SnRecord[]> {
  const listing = scanListing(http, {
    table, groups: [query], extra: [], limit: 1000,
    params: { sysparm_fields: fields, sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true' },
  }, `ServiceNow ${table}`);
  return collectPages(listing, startCursor(), signal);
}

/** Rows ordered so the table's own come last (and so win when put into a map in order). */
function byPrecedence(rows: SnRecord[], tables: string[]): SnRecord[] {
  const rank = (r: SnRecord): number => -tables.indexOf(value(r, 'name'));
  return [...rows].sort((a, b) => rank(a) - rank(b));
}

async function orEmpty(read: () => Promise<SnRecord[]>, what: string, logger: Logger): Promise<SnRecord[]> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof SourceError && err.code !== 'SOURCE_UNAVAILABLE' && err.code !== 'SOURCE_RATE_LIMITED') {
      logger.warn({ code: err.code, table: what }, 'ServiceNow field metadata not readable: custom fields keep column names');
      return [];
    }
    throw err;
  }
}

export async function loadMeta(http: SourceHttp, table: string, signal: AbortSignal, logger: Logger): Promise<TableMeta> {
  const tables = tablesOf(table);
  const names = `nameIN${tables.join(',')}`;
  const [dictionary, documentation, choices] = await Promise.all([
    orEmpty(() => readAll(http, 'sys_dictionary', `${names}^elementISNOTEMPTY`, 'sys_id,sys_created_on,name,element,internal_type,reference,choice', signal), 'sys_dictionary', logger),
    orEmpty(() => readAll(http, 'sys_documentation', `${names}^language=en`, 'sys_id,sys_created_on,name,element,label', signal), 'sys_documentation', logger),
    orEmpty(() => readAll(http, 'sys_choice', `${names}^language=en^inactive=false`, 'sys_id,sys_created_on,name,element,value,label', signal), 'sys_choice', logger),
  ]);
  const meta: TableMeta = { fields: new Map(), labels: new Map(), choices: new Map() };
  for (const r of byPrecedence(dictionary, tables)) {
    const element = value(r, 'element');
    meta.fields.set(element, { element, type: value(r, 'internal_type'), reference: value(r, 'reference'), choice: ['1', '3'].includes(value(r, 'choice')) });
  }
  for (const r of byPrecedence(documentation, tables)) {
    if (value(r, 'label') !== '') meta.labels.set(value(r, 'element'), value(r, 'label'));
  }
  // a table's own choice list replaces task's for that element as a whole
  const lists = new Map<string, { owner: string; labels: Map<string, string> }>();
  for (const r of byPrecedence(choices, tables)) {
    const element = value(r, 'element');
    const owner = value(r, 'name');
    let list = lists.get(element);
    if (!list || list.owner !== owner) lists.set(element, (list = { owner, labels: new Map() }));
    list.labels.set(value(r, 'value'), value(r, 'label'));
  }
  for (const [element, list] of lists) meta.choices.set(element, list.labels);
  return meta;
}
