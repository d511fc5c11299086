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
 * Hostile input cannot crash or hang the converter: nesting deeper than MAX_DEPTH (turndown
 * recurses per element) and any converter failure degrade to the text content.
 */
import TurndownService from 'turndown';

const MAX_DEPTH = 400;

const HTML_TAG =
  /<\/?(?:p|div|br|span|b|strong|i|em|u|a|ul|ol|li|h[1-6]|table|tr|td|th|pre|code|img|blockquote|hr|font|sup|sub|s|strike)\b[^>]*>/i;

/** Elements whose end tag is often omitted, and void elements: neither counts as nesting. */
const NO_DEPTH = new Set([
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'thead', 'tbody', 'tfoot', 'colgroup',
  'br', 'hr', 'img', 'input', 'meta', 'link', 'col', 'area', 'base', 'wbr', 'source', 'embed',
]);

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

function isFirstRow(tr: HTMLElement): boolean {
  let table: Node | null = tr.parentNode;
  while (table && table.nodeName !== 'TABLE') table = table.parentNode;
  if (!table) return false;
  const first = (table as HTMLElement).getElementsByTagName('tr')[0];
  return first === tr;
}

let turndown: TurndownService | null = null;

export function maxNestingDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(\/?)>/g)) {
    const name = (m[2] ?? '').toLowerCase();
    if (NO_DEPTH.has(name) || m[3] === '/') continue;
    if (m[1] === '/') depth = Math.max(0, depth - 1);
    else if (++depth > max) max = depth;
  }
  return max;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ent.toLowerCase()] ?? whole;
  });
}

/** Text content of HTML without a DOM: the degraded path for input turndown cannot take. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|pre|table)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text).replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

export function htmlToMarkdown(html: string): string {
  if (maxNestingDepth(html) > MAX_DEPTH) return htmlToText(html);
  try {
    turndown ??= createTurndown();
    return turndown.turndown(html).trim();
  } catch {
    return htmlToText(html);
  }
}

export function looksLikeHtml(value: string): boolean {
  return HTML_TAG.test(value);
}

/** A string or HTML field value → Markdown; null for an empty value. */
export function fieldToMarkdown(value: string): string | null {
  if (value.trim() === '') return null;
  return looksLikeHtml(value) ? htmlToMarkdown(value) : value;
}

/** A journal entry: text, with `[code]…[/code]` spans rendered from HTML. */
export function journalToMarkdown(value: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of value.matchAll(/\[code\]([\s\S]*?)\[\/code\]/gi)) {
    const index = m.index ?? 0;
    parts.push(value.slice(last, index));
    parts.push(htmlToMarkdown(m[1] ?? ''));
    last = index + m[0].length;
  }
  parts.push(value.slice(last));
  return parts.join('').trim();
}
