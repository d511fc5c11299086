/**
 * `items export`: every item of GET /api/items, page by page along next_cursor, written as it
 * arrives (NDJSON: one item per line; CSV: RFC 4180 with a header row and CRLF line ends, nested
 * values JSON-encoded). One page is held at a time and writes wait for the reader, so memory does
 * not grow with the store. A reader that goes away (`| head`) ends the export quietly.
 */
import { once } from 'node:events';
import { stringify } from 'csv-stringify';
import { unwrap, type ApiClient, type ItemListQuery, type WorkItem } from '../client/client.js';

/** CONTRACT §4 fields, in its order, then deleted_at (§13); raw last, as the longest. */
export const CSV_COLUMNS = [
  'id', 'tenant_id', 'source_type', 'source_instance', 'project', 'external_id', 'key', 'title', 'description',
  'status', 'status_category', 'priority', 'item_type', 'assignee', 'reporter', 'labels', 'url', 'parent_external_id',
  'created_at', 'updated_at', 'closed_at', 'deleted_at', 'comments', 'raw',
] as const;

export type ExportFormat = 'ndjson' | 'csv';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Resolves when `stream` drains, or when `out` fails or closes (a drain that will never come). */
function drained(stream: NodeJS.EventEmitter, out: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.removeListener('drain', done);
      out.removeListener('error', done);
      out.removeListener('close', done);
      resolve();
    };
    stream.once('drain', done);
    out.once('error', done);
    out.once('close', done);
  });
}

interface Sink {
  write(item: WorkItem): Promise<void>;
  end(): Promise<void>;
}

/** Writes to `out`, waiting on backpressure; `gone` once the reader has hung up (EPIPE). */
function ndjsonSink(out: NodeJS.WritableStream, gone: () => boolean): Sink {
  return {
    async write(item) {
      if (!out.write(`${JSON.stringify(item)}\n`) && !gone()) await drained(out, out);
    },
    async end() {},
  };
}

function csvSink(out: NodeJS.WritableStream, gone: () => boolean): Sink {
  // quoted_match: csv-stringify quotes a field holding the whole record delimiter (CRLF), but RFC 4180
  // wants any CR or LF quoted.
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS], record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
  csv.pipe(out as NodeJS.WritableStream, { end: false });
  return {
    async write(item) {
      const row = CSV_COLUMNS.map((c) => cell((item as Record<string, unknown>)[c]));
      if (!csv.write(row) && !gone()) await drained(csv, out);
    },
    async end() {
      const ended = once(csv, 'end');
      csv.end();
      await ended;
    },
  };
}

/** Returns how many items were written (fewer when the reader hung up). */
export async function exportItems(
  client: ApiClient,
  query: Omit<ItemListQuery, 'cursor' | 'limit'>,
  format: ExportFormat,
  out: NodeJS.WritableStream,
  pageSize: number,
): Promise<number> {
  let hungUp = false;
  let failure: Error | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    hungUp = true;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') failure = err;
  };
  out.on('error', onError);
  const gone = () => hungUp;
  const sink = format === 'csv' ? csvSink(out, gone) : ndjsonSink(out, gone);
  let written = 0;
  let cursor: string | undefined;
  try {
    do {
      const page = unwrap(await client.GET('/api/items', { params: { query: { ...query, limit: pageSize, ...(cursor && { cursor }) } } }));
      for (const item of page.items) {
        if (hungUp) break;
        await sink.write(item);
        written++;
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor && !hungUp);
    if (!hungUp) await sink.end();
    if (failure) throw failure;
    return written;
  } finally {
    out.removeListener('error', onError);
    // A late EPIPE after the last write must not crash the process either.
    out.on('error', () => undefined);
  }
}
