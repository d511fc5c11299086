/**
 * `items export` against a live service holding 150 imported GitHub issues (more than one page of
 * the export): NDJSON and CSV carry every item once; CSV has the header row, CRLF records and
 * RFC 4180 quoting of commas, quotes and line breaks; a reader that hangs up ends it quietly.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../src/cli/export.js';
import { DEFAULT_POLICY } from '../../src/policy.js';
import { CLI_ENTRY, cli, startCliService, type CliService } from './support.js';

const ITEMS = 150;
const TRICKY_TITLE = 'comma, "quoted" and\nnewline\r\nand CRLF';

/** RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n' && text[i] !== '"') field += text[i++];
      if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else {
      throw new Error(`a record not ended by CRLF at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
    }
  }
  return rows;
}

describe('items export', { timeout: 120_000 }, () => {
  let svc: CliService;

  beforeAll(async () => {
    svc = await startCliService({ issues: ITEMS, prEvery: 0, commentsFor: (n) => n % 3 });
    svc.github.data.issues[0]!['title'] = TRICKY_TITLE;
    const res = await fetch(`${svc.server}/api/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source_type: 'github', source_config: { base_url: svc.github.baseUrl, owner: 'octo-org', repo: 'hello-world' } }),
    });
    const job = (await res.json()) as { job_id: string };
    expect((await svc.harness.waitFor(job.job_id, undefined, 60_000)).status).toBe('completed');
  });
  afterAll(async () => svc?.close());

  it('NDJSON: one item per line, every item once, across more than one page', async () => {
    expect(DEFAULT_POLICY.cli.exportPageSize).toBeLessThan(ITEMS);
    const { code, stdout, stderr } = await cli(['--server', svc.server, 'items', 'export', '--format', 'ndjson']).done;
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    const items = lines.map((l) => JSON.parse(l));
    expect(items).toHaveLength(ITEMS);
    expect(new Set(items.map((i) => i.id)).size).toBe(ITEMS);
    const tricky = items.find((i) => i.title === TRICKY_TITLE);
    expect(tricky).toMatchObject({ source_type: 'github', project: 'octo-org/hello-world' });
    const stored = await svc.harness.deps.store.getItem(tricky.id, null);
    expect(JSON.parse(JSON.stringify(stored))).toEqual(tricky);
  });

  it('CSV: the header row, CRLF records, RFC 4180 quoting, nested values as JSON, the same items as NDJSON', async () => {
    const [csv, ndjson] = await Promise.all([
      cli(['--server', svc.server, 'items', 'export', '--format', 'csv']).done,
      cli(['--server', svc.server, 'items', 'export']).done,
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(ITEMS + 1);
    const byId = new Map(ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((i) => [i.id, i]));
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      const record = Object.fromEntries(CSV_COLUMNS.map((c, n) => [c, row[n]]));
      const item = byId.get(record['id']);
      expect(item).toBeDefined();
      expect(record['title']).toBe(item.title);
      expect(record['description']).toBe(item.description ?? '');
      expect(record['closed_at']).toBe(item.closed_at ?? '');
      expect(JSON.parse(record['comments']!)).toEqual(item.comments);
      expect(JSON.parse(record['labels']!)).toEqual(item.labels);
      expect(JSON.parse(record['raw']!)).toEqual(item.raw);
    }
    expect(rows.some((r) => r[CSV_COLUMNS.indexOf('title')] === TRICKY_TITLE)).toBe(true);
    // The tricky title is one quoted field with its quotes doubled.
    expect(csv.stdout).toContain('"comma, ""quoted"" and\nnewline\r\nand CRLF"');
  });

  it('filters narrow the export; no match gives the header row alone', async () => {
    const none = await cli(['--server', svc.server, 'items', 'export', '--format', 'csv', '--project', 'someone/else']).done;
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    const github = await cli(['--server', svc.server, 'items', 'export', '--source-type', 'github', '--project', 'octo-org/hello-world']).done;
    expect(github.stdout.trim().split('\n')).toHaveLength(ITEMS);
    const bad = await cli(['--server', svc.server, 'items', 'export', '--format', 'xml']).done;
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--format/);
  });

  it('a reader that hangs up (| head -n 1) ends the export quietly with exit 0', async () => {
    const command = [process.execPath, ...CLI_ENTRY, '--server', svc.server, 'items', 'export']
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('bash', ['-c', `${command} | head -n 1 > /dev/null; echo "cli=\${PIPESTATUS[0]}"`]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    expect(out.trim()).toBe('cli=0');
    expect(err).toBe('');
  });
});
