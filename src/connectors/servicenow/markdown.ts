/**
 * ServiceNow text → Markdown.
 *
 * - HTML fields (type `html`, e.g. kb_knowledge.text, or a description edited in the rich-text
 *   editor) are converted with turndown plus a small GFM table rule.
 * - String fields (incident.description is a plain multi-line string) stay text, untouched:
 *   CONTRACT §6 "plain text stays text".
 * - Journal entries (comments, work notes) are text in which only `[code]…[/code]` spans are
 *   HTML; tags outside them are shown literally by the instance, so they stay literal here.
 *   (ServiceNowDocs `platform-administration/render-journal-field-entries-as-html.md`.)
 *
 * Hostile input cannot crash or hang the converter: HTML too big, deep or blank for turndown
 * (fitsTurndown), and any turndown failure, go to a streaming converter linear in its input.
 */
import TurndownService from 'turndown';
import { htmlToMarkdownLinear } from './html-markdown.js';
import { htmlShape, looksLikeHtml } from './html-text.js';

export { looksLikeHtml, maxNestingDepth } from './html-text.js';

// Bounds for turndown (figures in BENCHMARKS.md "Conversions"): it costs ~4 µs per byte of an
// ordinary article, so 32 KiB stays near 150 ms; a hostile field inside the bounds costs less.
const TURNDOWN_MAX_CHARS = 32 * 1024;
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 2000;
const MAX_BLANK_COST = 4_000_000;
/** turndown builds a DOM per call (~0.1 ms): a journal entry with more spans takes the streaming converter. */
const MAX_TURNDOWN_SPANS = 16;

function createTurndown(): TurndownService {
  const td = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
    strongDelimiter: '**',
  });
  td.remove(['script', 'style', 'noscript', 'head', 'title']);
  td.addRule('tableSection', {
    filter: ['thead', 'tbody', 'tfoot'],
    replacement: (content) => content,
  });
  td.addRule('tableCell', {
    filter: ['th', 'td'],
    replacement: (content) => `| ${content.trim().replace(/\s*\n+\s*/g, ' ').replace(/\|/g, '\\|')} `,
  });
  td.addRule('tableRow', {
    filter: 'tr',
    replacement: (content, node) => {
      const row = `${content.trim()} |\n`;
      if (!isFirstRow(node)) return row;
      const cells = Array.from(node.childNodes).filter((c) => /^(TH|TD)$/.test(c.nodeName)).length;
      return row + `|${' --- |'.repeat(Math.max(cells, 1))}\n`;
    },
  });
  td.addRule('table', {
    filter: 'table',
    replacement: (content) => `\n\n${content.trim()}\n\n`,
  });
  return td;
}

/** Each table's first row, looked up once: asking the table per row would re-walk it per row. */
const firstRows = new WeakMap<Node, Element | undefined>();

function isFirstRow(tr: HTMLElement): boolean {
  let table: Node | null = tr.parentNode;
  while (table && table.nodeName !== 'TABLE') table = table.parentNode;
  if (!table) return false;
  if (!firstRows.has(table)) firstRows.set(table, (table as HTMLElement).getElementsByTagName('tr')[0]);
  return firstRows.get(table) === tr;
}

let turndown: TurndownService | null = null;

/**
 * Whether turndown may see this HTML. It is not linear: its final trim is `/[\t\r\n\s]+$/`
 * (quadratic in every whitespace run of the output: 100 KB of `&nbsp;` took 11 s), it recurses
 * per element and re-reads each subtree per level, and it costs ~3-5 µs per byte even on an
 * ordinary article. Bigger, deeper or blanker input takes the streaming converter instead.
 */
function fitsTurndown(html: string): boolean {
  if (html.length > TURNDOWN_MAX_CHARS) return false;
  const shape = htmlShape(html);
  return shape.depth <= MAX_DEPTH && shape.elements <= MAX_ELEMENTS && shape.blankCost <= MAX_BLANK_COST;
}

export function htmlToMarkdown(html: string, allowTurndown = true): string {
  if (!allowTurndown || !fitsTurndown(html)) return htmlToMarkdownLinear(html);
  try {
    turndown ??= createTurndown();
    return turndown.turndown(html).trim();
  } catch {
    return htmlToMarkdownLinear(html);
  }
}

/** A string or HTML field value → Markdown; null for an empty value. */
export function fieldToMarkdown(value: string): string | null {
  if (value.trim() === '') return null;
  return looksLikeHtml(value) ? htmlToMarkdown(value) : value;
}

/**
 * A journal entry: text, with `[code]…[/code]` spans rendered from HTML. A span runs to the
 * first `[/code]` after its `[code]`; markers are found in one pass, so a thousand unclosed
 * `[code]` cost no more than one.
 */
export function journalToMarkdown(value: string): string {
  const text: string[] = [];
  const spans: string[] = [];
  let last = 0;
  let open = -1;
  for (const m of value.matchAll(/\[(\/?)code\]/gi)) {
    const index = m.index ?? 0;
    if (m[1] === '') {
      if (open < 0) open = index;
    } else if (open >= 0) {
      text.push(value.slice(last, open));
      spans.push(value.slice(open + 6, index));
      last = index + 7;
      open = -1;
    }
  }
  const turndown = spans.length <= MAX_TURNDOWN_SPANS && value.length <= TURNDOWN_MAX_CHARS;
  const parts = spans.flatMap((span, i) => [text[i] ?? '', htmlToMarkdown(span, turndown)]);
  parts.push(value.slice(last));
  return parts.join('').trim();
}
