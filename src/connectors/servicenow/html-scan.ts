/**
 * One forward pass over HTML without a DOM: tags, text and comments, each character read a
 * bounded number of times, so hostile input (`<p` × 40,000, a megabyte of `<`, an unclosed
 * comment) costs the same per byte as an ordinary article. Quoted `>` inside attribute values
 * end the tag here: close enough for deciding what the text is and how deep it nests.
 */

export interface HtmlTag {
  /** Lower-case element name. */
  name: string;
  closing: boolean;
  selfClosing: boolean;
  /** The tag's source: `html.slice(start, end)` is `<…>`. */
  start: number;
  end: number;
}

export interface HtmlVisitor {
  text(start: number, end: number): void;
  tag(tag: HtmlTag): void;
}

/** Elements whose content is not text: skipped whole, up to their end tag. */
const RAW = new Set(['script', 'style']);

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isNameChar(code: number): boolean {
  return isLetter(code) || (code >= 48 && code <= 57);
}

/** Where a `<!…>`/`<?…>` comment-like construct ends, or the end of the input. */
function commentEnd(html: string, at: number): number {
  const close = html.startsWith('<!--', at) ? '-->' : '>';
  const found = html.indexOf(close, at + 2);
  return found < 0 ? html.length : found + close.length;
}

/** Index just past `</name…>` (case-insensitive) from `from`, or the end of the input. */
function rawEnd(html: string, name: string, from: number): number {
  const re = new RegExp(`</${name}`, 'gi');
  re.lastIndex = from;
  if (re.exec(html) === null) return html.length;
  const gt = html.indexOf('>', re.lastIndex);
  return gt < 0 ? html.length : gt + 1;
}

/** Calls the visitor for every text run and tag of `html`, in order. */
export function scanHtml(html: string, visit: HtmlVisitor): void {
  // No `>` after this point means no later `<` can open a tag either: it is all text.
  const lastGt = html.lastIndexOf('>');
  let text = 0;
  let i = html.indexOf('<');
  while (i >= 0 && i < lastGt) {
    const closing = html.charCodeAt(i + 1) === 47;
    const nameAt = closing ? i + 2 : i + 1;
    const next = html.charCodeAt(i + 1);
    if (!isLetter(html.charCodeAt(nameAt)) && next !== 33 && next !== 63) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    if (i > text) visit.text(text, i);
    if (next === 33 || next === 63) {
      text = commentEnd(html, i);
    } else {
      let n = nameAt;
      while (n < html.length && isNameChar(html.charCodeAt(n))) n++;
      const gt = html.indexOf('>', n);
      const name = html.slice(nameAt, n).toLowerCase();
      visit.tag({ name, closing, selfClosing: html.charCodeAt(gt - 1) === 47, start: i, end: gt + 1 });
      text = !closing && RAW.has(name) ? rawEnd(html, name, gt + 1) : gt + 1;
    }
    i = html.indexOf('<', text);
  }
  if (text < html.length) visit.text(text, html.length);
}
