/**
 * Jira wiki markup (Data Center / REST v2 bodies) → Markdown.
 * Notation: https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all
 *
 * Block macros ({code}, {noformat}, {quote}, {panel}) are cut out with indexOf scans (an
 * unclosed macro runs to the end of the text, as Jira renders it), the rest is read line by line.
 * Every pattern here either stops at its own delimiter or matches a whole line, so conversion is
 * linear in the text.
 * A single newline inside a paragraph stays a newline (Jira shows it as a line break; Markdown
 * renderers with GitHub-style breaks do too).
 */
import { codeFence, joinBlocks, quote, table } from '../markdown.js';
import { wikiInline } from './wiki-inline.js';

// Parameters stop at `{` too, so an unclosed `{code:` cannot make every later one rescan the text.
const MACRO = /\{(code|noformat|quote|panel)(?::([^{}\n]*))?\}/g;

/**
 * {quote} cannot hold {quote}, but an unclosed `{panel:…}` runs to the end of the text and can
 * open another: past this depth macros are read as text, so `{panel:x}` × 100,000 neither
 * overflows the stack nor re-reads the rest of the text per level.
 */
const MAX_MACRO_DEPTH = 4;

export function wikiToMarkdown(src: string): string {
  return convert(src.replace(/\r\n?/g, '\n'), 0).trim();
}

function convert(text: string, depth: number): string {
  if (depth >= MAX_MACRO_DEPTH) return lineBlocks(text);
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    MACRO.lastIndex = pos;
    const m = MACRO.exec(text);
    if (m === null) {
      out.push(lineBlocks(text.slice(pos)));
      break;
    }
    out.push(lineBlocks(text.slice(pos, m.index)));
    const [opening, name = '', params = ''] = m;
    const close = `{${name}}`;
    const start = m.index + opening.length;
    const found = text.indexOf(close, start);
    const end = found < 0 ? text.length : found;
    out.push(macro(name, params, text.slice(start, end), depth + 1));
    pos = found < 0 ? text.length : end + close.length;
  }
  return joinBlocks(out);
}

function param(params: string, key: string): string | null {
  for (const p of params.split('|')) {
    const [k, v] = p.split('=');
    if (k?.trim() === key && v !== undefined) return v.trim();
  }
  return null;
}

function macro(name: string, params: string, body: string, depth: number): string {
  switch (name) {
    case 'code': {
      const lang = params.split('|').find((p) => p !== '' && !p.includes('=')) ?? null;
      return codeFence(body.replace(/^\n/, ''), lang);
    }
    case 'noformat':
      return codeFence(body.replace(/^\n/, ''), null);
    case 'quote':
      return quote(convert(body.trim(), depth));
    default: {
      const title = param(params, 'title');
      return quote(joinBlocks([title === null ? '' : `**${wikiInline(title)}**`, convert(body.trim(), depth)]));
    }
  }
}

/** Splits a table row on `|` / `||` outside of `[...]` links and `{{...}}` monospace. */
function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let bracket = 0;
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (c === '[') bracket++;
    else if (c === ']') bracket = Math.max(0, bracket - 1);
    if (c === '|' && bracket === 0) {
      if (i > 0) cells.push(cur);
      cur = '';
      if (row[i + 1] === '|') i++;
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') cells.push(cur);
  return cells.map((cell) => wikiInline(cell.trim()).replace(/\\\n/g, '<br>'));
}

// `s`: a line holding U+2028 must still match whole, or `\s+(.*)$` backtracks quadratically.
const LIST = /^\s*([*#]+|-)\s+(.*)$/s;

function listLine(markers: string, text: string): string {
  let indent = 0;
  for (const m of markers.slice(0, -1)) indent += m === '#' ? 3 : 2;
  return `${' '.repeat(indent)}${markers.endsWith('#') ? '1. ' : '- '}${wikiInline(text)}`;
}

function lineBlocks(text: string): string {
  const out: string[] = [];
  let group: string[] = [];
  let rows: string[][] = [];
  const flush = (): void => {
    if (group.length > 0) out.push(group.join('\n'));
    if (rows.length > 0) out.push(table(rows));
    group = [];
    rows = [];
  };
  let kind: 'para' | 'list' | 'table' | null = null;
  const into = (k: 'para' | 'list' | 'table'): void => {
    if (kind !== k) flush();
    kind = k;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const heading = /^h([1-6])\.\s*(.*)$/s.exec(line);
    const list = LIST.exec(raw);
    if (line === '') {
      flush();
      kind = null;
    } else if (heading !== null) {
      flush();
      kind = null;
      out.push(`${'#'.repeat(Number(heading[1]))} ${wikiInline(heading[2] ?? '').replace(/\\\n/g, ' ')}`);
    } else if (line.startsWith('bq.')) {
      flush();
      kind = null;
      out.push(quote(wikiInline(line.slice(3).trim())));
    } else if (/^-{4,}$/.test(line)) {
      flush();
      kind = null;
      out.push('---');
    } else if (list !== null) {
      into('list');
      group.push(listLine(list[1] ?? '-', list[2] ?? ''));
    } else if (line.startsWith('|')) {
      into('table');
      rows.push(tableCells(line));
    } else {
      into('para');
      group.push(wikiInline(line));
    }
  }
  flush();
  return joinBlocks(out);
}
