/**
 * Everything a page of records needs beyond its rows, read in bulk and at once: the journal
 * (comments), sys_audit (history, when asked), the Attachment API (attachment metadata), plus the
 * custom fields typed by the table's dictionary (read once per job, meta.ts). Used by pages() for
 * each page and by fetchOne() for its one record, so a webhook update carries as much as an import.
 */
import type { Logger } from 'pino';
import type { SourceHttp } from '../../outbound/types.js';
import type { Policy } from '../../policy.js';
import { skipped } from '../item-depth.js';
import { attachmentSpec, fetchAttachments, toAttachments } from './attachments.js';
import type { BulkRead } from './bulk.js';
import { customFields } from './custom-fields.js';
import { value, type SnRecord } from './fields.js';
import { fetchHistory, historySpec, toHistory } from './history.js';
import { fetchJournal } from './journal.js';
import { loadMeta, type TableMeta } from './meta.js';
import type { PageRecord } from './normalize.js';

export interface DepthOptions {
  includeComments: boolean;
  includeHistory: boolean;
}

export interface DepthReader {
  complete(rows: SnRecord[], opts: DepthOptions, signal: AbortSignal): Promise<PageRecord[]>;
}

const NONE: BulkRead = { rows: new Map(), parts: new Map() };

export function depthReader(
  http: SourceHttp, cfg: { baseUrl: string; table: string; caps: Policy['sources']['servicenow']; logger: Logger },
): DepthReader {
  let meta: Promise<TableMeta> | null = null;
  const metaOnce = (signal: AbortSignal): Promise<TableMeta> => {
    meta ??= loadMeta(http, cfg.table, signal, cfg.logger).catch((err: unknown) => {
      meta = null; // an outage on the first page is retried with the next read, not remembered
      throw err;
    });
    return meta;
  };

  async function complete(rows: SnRecord[], opts: DepthOptions, signal: AbortSignal): Promise<PageRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => value(r, 'sys_id'));
    const classes = [...new Set(rows.map((r) => value(r, 'sys_class_name') || cfg.table))].sort();
    const tableMeta = await metaOnce(signal);
    const [journal, history, attachments] = await Promise.all([
      opts.includeComments ? fetchJournal(http, ids, signal, cfg.caps.journalRowsPerChunk) : NONE,
      opts.includeHistory ? fetchHistory(http, ids, historySpec(classes, tableMeta, cfg.caps.historyRowsPerChunk), signal) : NONE,
      fetchAttachments(http, ids, attachmentSpec(classes, cfg.caps.attachmentRowsPerChunk), signal),
    ]);
    return rows.map((record, i) => {
      const id = ids[i]!;
      return {
        record,
        journal: journal.rows.get(id) ?? [],
        depth: {
          history: opts.includeHistory ? toHistory(history.rows.get(id) ?? [], tableMeta) : [],
          attachments: toAttachments(attachments.rows.get(id) ?? [], cfg.baseUrl),
          custom_fields: customFields(record, tableMeta),
          completeness: {
            comments: opts.includeComments ? journal.parts.get(id)! : skipped('include_comments is false'),
            history: opts.includeHistory ? history.parts.get(id)! : skipped('include_history is false'),
            attachments: attachments.parts.get(id)!,
          },
        },
      };
    });
  }

  return { complete };
}
