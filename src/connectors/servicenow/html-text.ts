/**
 * What can be said about HTML in one linear pass: does it look like HTML, how deep and how
 * costly would a DOM conversion be (htmlShape), and its text content (htmlToText, the degraded
 * path for input turndown must not see). Built on scanHtml, so no input can make them
 * backtrack.
 */
import { scanHtml, type HtmlTag } from './html-scan.js';

/** The elements the rich-text editor writes: one of them, and a value is HTML. */
const HTML_TAGS = new Set([
  'p', 'div', 'br', 'span', 'b', 'strong', 'i', 'em', 'u', 'a', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5',
  'h6', 'table', 'tr', 'td', 'th', 'pre', 'code', 'img', 'blockquote', 'hr', 'font', 'sup', 'sub', 's', 'strike',
]);

/** Elements whose end tag is often omitted, and void elements: neither counts as nesting. */
const NO_DEPTH = new Set([
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'thead', 'tbody', 'tfoot', 'colgroup',
  'br', 'hr', 'img', 'input', 'meta', 'link', 'col', 'area', 'base', 'wbr', 'source', 'embed',
]);

/** Elements that end a paragraph of text, and what separates them from what follows. */
const BREAKS: Record<string, string> = {
  br: '\n', li: '\n', tr: '\n', dt: '\n', dd: '\n', td: ' ', th: ' ',
  p: '\n\n', div: '\n\n', h1: '\n\n', h2: '\n\n', h3: '\n\n', h4: '\n\n', h5: '\n\n', h6: '\n\n',
  blockquote: '\n\n', pre: '\n\n', table: '\n\n', ul: '\n\n', ol: '\n\n', hr: '\n\n',
};

export function looksLikeHtml(value: string): boolean {
  let found = false;
  scanHtml(value, { text: () => undefined, tag: (t) => void (found ||= HTML_TAGS.has(t.name)) });
  return found;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,8}|#\d{1,8}|[a-z]{1,32});/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(ENTITIES, ent.toLowerCase()) ? (ENTITIES[ent.toLowerCase()] ?? whole) : whole;
  });
}

/** Lines without trailing blanks, at most one empty line in a row, no blank edges. */
function tidyLines(text: string): string {
  const out: string[] = [];
  let gap = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') gap = out.length > 0;
    else {
      if (gap) out.push('');
      out.push(line);
      gap = false;
    }
  }
  return out.join('\n').trim();
}

/** Text content of HTML, blocks separated by blank lines; script and style dropped. */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  scanHtml(html, {
    text: (start, end) => void parts.push(html.slice(start, end)),
    tag: (t) => {
      const gap = BREAKS[t.name];
      if (gap !== undefined && (t.closing || t.name === 'br' || t.name === 'hr')) parts.push(gap);
    },
  });
  return tidyLines(decodeEntities(parts.join('')));
}

export interface HtmlShape {
  /** Deepest element nesting, not counting elements that need no end tag. */
  depth: number;
  elements: number;
  /** Σ r² over runs of r whitespace-like characters, entities and line breaks in the text. */
  blankCost: number;
}

function isBlankCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const ENTITY = /&#?[a-z0-9]{1,32};?/iy;

/** Depth, element count and whitespace runs of HTML, in one pass. */
export function htmlShape(html: string): HtmlShape {
  const shape: HtmlShape = { depth: 0, elements: 0, blankCost: 0 };
  let depth = 0;
  let run = 0;
  const endRun = (): void => {
    shape.blankCost += run * run;
    run = 0;
  };
  const tag = (t: HtmlTag): void => {
    if (!t.closing) shape.elements++;
    if (t.name === 'br') run += 3;
    else if (BREAKS[t.name] !== undefined) run += 2;
    if (NO_DEPTH.has(t.name) || t.selfClosing) return;
    if (t.closing) depth = Math.max(0, depth - 1);
    else if (++depth > shape.depth) shape.depth = depth;
  };
  const text = (start: number, end: number): void => {
    for (let i = start; i < end; i++) {
      const c = html.charCodeAt(i);
      if (c === 38) {
        ENTITY.lastIndex = i;
        if (ENTITY.test(html)) i = Math.min(end, ENTITY.lastIndex) - 1;
        run++;
      } else if (isBlankCode(c)) run++;
      else endRun();
    }
  };
  scanHtml(html, { text, tag });
  endRun();
  return shape;
}

export function maxNestingDepth(html: string): number {
  return htmlShape(html).depth;
}
