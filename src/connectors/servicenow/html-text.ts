/**
 * What can be said about HTML in one linear pass: does it look like HTML, how deep and how
 * costly would a DOM conversion be (htmlShape), and entity decoding. Built on scanHtml, so no
 * input can make them backtrack.
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

/** Elements that end a line or paragraph: each adds to the whitespace run turndown writes there. */
const BREAKS = new Set([
  'br', 'li', 'tr', 'dt', 'dd', 'td', 'th', 'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre',
  'table', 'ul', 'ol', 'hr',
]);

export function looksLikeHtml(value: string): boolean {
  let found = false;
  scanHtml(value, { text: () => undefined, tag: (t) => void (found ||= HTML_TAGS.has(t.name)) });
  return found;
}

// HTML 4's Latin-1 entities name U+00A0…U+00FF in order; with the markup and typography ones
// below they cover what the rich-text editor writes.
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig ' +
  'Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash ' +
  'Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc ' +
  'euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml';

const ENTITIES = new Map<string, string>([
  ...LATIN1.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
  ['nbsp', ' '], ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
  ['ndash', '–'], ['mdash', '—'], ['lsquo', '‘'], ['rsquo', '’'], ['ldquo', '“'], ['rdquo', '”'], ['hellip', '…'],
  ['bull', '•'], ['euro', '€'], ['trade', '™'], ['larr', '←'], ['rarr', '→'], ['uarr', '↑'], ['darr', '↓'],
  ['ensp', ' '], ['emsp', ' '], ['thinsp', ' '], ['zwnj', '\u200c'], ['zwj', '\u200d'], ['dagger', '†'],
]);

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,8}|#\d{1,8}|[a-z][a-z0-9]{0,31});/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES.get(ent) ?? ENTITIES.get(ent.toLowerCase()) ?? whole;
  });
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
    else if (BREAKS.has(t.name)) run += 2;
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
