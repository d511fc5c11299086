/**
 * HTML → Markdown in one streaming pass (no DOM), for HTML too big or too deep for turndown:
 * the same Markdown flavour (atx headings, `**`, `_`, `-   ` items, fenced code, GFM tables),
 * with simpler whitespace rules. Linear in the input: each tag and text run is handled once,
 * `<pre>`/`<code>` content is buffered once, and prefixes stop growing past a nesting limit.
 */
import { scanHtml, type HtmlTag } from './html-scan.js';
import { decodeEntities } from './html-text.js';
import { codeFence, codeSpan, linkDestination } from '../markdown.js';
import { MarkdownWriter } from './md-writer.js';

const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'ul', 'ol', 'table', 'dl', 'dt', 'dd', 'form', 'fieldset',
  'address', 'figure', 'figcaption', 'main', 'nav', 'aside', 'center',
]);
const MARKS: Record<string, string> = { b: '**', strong: '**', i: '_', em: '_', s: '~~', strike: '~~', del: '~~' };
const HIDDEN = new Set(['noscript', 'head', 'title', 'template']);
const MAX_OPEN = 64;

const ATTRS = new Map<string, RegExp>();

function attr(html: string, tag: HtmlTag, name: string): string | null {
  let re = ATTRS.get(name);
  if (re === undefined) {
    re = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i');
    ATTRS.set(name, re);
  }
  const m = re.exec(html.slice(tag.start, tag.end));
  return m === null ? null : decodeEntities(m[1] ?? m[2] ?? m[3] ?? '');
}

/** Escapes what would read as Markdown: inline syntax, a block marker at a line start, `|` in a cell. */
function escapeText(word: string, lineStart: boolean, inCell: boolean): string {
  const escaped = word.replace(inCell ? /[\\*_`[\]|]/g : /[\\*_`[\]]/g, '\\$&');
  return lineStart ? escaped.replace(/^(?:[#>+=-]|\d+(?=\.))/, (m) => (/\d/.test(m) ? `${m}\\` : `\\${m}`)) : escaped;
}

interface Open {
  name: string;
  handle: number;
  closing: string;
}

/** The converter's state between tokens; see htmlToMarkdownLinear. */
class Converter {
  readonly out = new MarkdownWriter();
  private readonly open: Open[] = [];
  private readonly lists: { ordered: boolean; next: number }[] = [];
  private raw: { name: string; parts: string[]; lang: string } | null = null;
  private hidden = 0;
  private row: { cells: number; first: boolean } | null = null;
  private tableRows = 0;

  constructor(private readonly html: string) {}

  text(start: number, end: number): void {
    if (this.hidden > 0) return;
    const text = decodeEntities(this.html.slice(start, end));
    if (this.raw !== null) return void this.raw.parts.push(text);
    const words = text.replace(/[ \t\n\r\f]+/g, ' ');
    const lead = words.startsWith(' ') ? 1 : 0;
    const core = words.slice(lead, words.length - (words.length > lead && words.endsWith(' ') ? 1 : 0));
    if (lead === 1) this.out.blank();
    if (core === '') return;
    this.out.write(escapeText(core, this.out.startsLine(), this.out.cells > 0));
    if (core.length < words.length - lead) this.out.blank();
  }

  /** Whatever the end of the input left open: an unclosed `<pre>` still becomes a code block. */
  finish(): string {
    if (this.raw !== null) this.endRaw(this.raw.name, this.raw.parts.join(''), this.raw.lang);
    return this.out.toString();
  }

  tag(t: HtmlTag): void {
    if (HIDDEN.has(t.name)) return void (this.hidden = Math.max(0, this.hidden + (t.closing ? -1 : 1)));
    if (this.raw !== null) return this.rawTag(t);
    if (MARKS[t.name] !== undefined || t.name === 'a') return this.inline(t);
    if (/^h[1-6]$/.test(t.name)) return this.heading(t);
    if (t.name === 'li') return this.listItem(t);
    if (t.name === 'pre' || t.name === 'code') return t.closing ? undefined : this.startRaw(t);
    if (t.name === 'td' || t.name === 'th' || t.name === 'tr' || t.name === 'table') return this.tableTag(t);
    if (t.name === 'blockquote') return this.blockquote(t);
    if (t.name === 'br') return this.out.hardBreak();
    if (t.name === 'hr') return this.rule();
    if (t.name === 'img') return this.image(t);
    if (BLOCKS.has(t.name)) this.block(t);
  }

  private block(t: HtmlTag): void {
    if (t.name !== 'ul' && t.name !== 'ol') return this.out.newline(2);
    if (t.closing) this.lists.pop();
    // A list inside a list item follows its text directly, as turndown writes it.
    this.out.newline(this.lists.length > 0 ? 1 : 2);
    if (!t.closing) this.lists.push({ ordered: t.name === 'ol', next: Math.trunc(Number(attr(this.html, t, 'start'))) || 1 });
  }

  private inline(t: HtmlTag): void {
    if (!t.closing) {
      if (this.open.length >= MAX_OPEN) return;
      const href = t.name === 'a' ? attr(this.html, t, 'href') : null;
      const marker = t.name === 'a' ? (href ? '[' : '') : (MARKS[t.name] ?? '');
      const closing = t.name === 'a' ? (href ? `](${linkDestination(href)})` : '') : marker;
      this.open.push({ name: t.name, handle: marker === '' ? 0 : this.out.open(marker), closing });
      return;
    }
    const top = this.open[this.open.length - 1];
    if (top?.name !== t.name) return;
    this.open.pop();
    this.out.close(top.handle, top.closing);
  }

  private heading(t: HtmlTag): void {
    this.out.newline(2);
    if (t.closing) {
      // Inline elements left open inside the heading end with it.
      if (!this.open.some((o) => o.name === 'heading')) return;
      for (let o = this.open.pop(); o !== undefined; o = this.open.pop()) {
        this.out.close(o.handle, o.closing);
        if (o.name === 'heading') break;
      }
      return;
    }
    this.open.push({ name: 'heading', handle: this.out.open(`${'#'.repeat(Number(t.name[1]))} `), closing: '' });
  }

  private listItem(t: HtmlTag): void {
    if (t.closing) return this.out.endItem();
    const list = this.lists[this.lists.length - 1];
    this.out.item(list?.ordered ? `${list.next++}.  ` : '-   ');
  }

  private blockquote(t: HtmlTag): void {
    this.out.newline(2);
    this.out.quote(t.closing ? -1 : 1);
  }

  private rule(): void {
    this.out.newline(2);
    this.out.write('* * *');
    this.out.newline(2);
  }

  private image(t: HtmlTag): void {
    const src = attr(this.html, t, 'src');
    if (src) this.out.write(`![${escapeText(attr(this.html, t, 'alt') ?? '', false, false)}](${linkDestination(src)})`);
  }

  private startRaw(t: HtmlTag): void {
    this.raw = { name: t.name, parts: [], lang: this.langOf(t) };
  }

  /** Inside `<pre>`/`<code>`: only `<br>`, a `<code>` class and the matching end tag matter. */
  private rawTag(t: HtmlTag): void {
    const raw = this.raw;
    if (raw === null) return;
    if (t.name === 'br') raw.parts.push('\n');
    else if (t.name === 'code' && !t.closing && raw.lang === '') raw.lang = this.langOf(t);
    else if (t.closing && t.name === raw.name) this.endRaw(raw.name, raw.parts.join(''), raw.lang);
  }

  private langOf(t: HtmlTag): string {
    return /language-([^\s]{1,40})/.exec(attr(this.html, t, 'class') ?? '')?.[1] ?? '';
  }

  private endRaw(name: string, body: string, lang: string): void {
    this.raw = null;
    if (name === 'code') return this.out.write(codeSpan(body));
    this.out.newline(2);
    this.out.writeLines(codeFence(body, lang));
    this.out.newline(2);
  }

  private tableTag(t: HtmlTag): void {
    if (t.name === 'table') {
      this.out.newline(2);
      this.tableRows = 0;
      return;
    }
    if (t.name === 'tr') return t.closing ? this.endRow() : this.startRow();
    if (t.closing) return void (this.out.cells = Math.max(0, this.out.cells - 1));
    if (this.row === null) this.startRow();
    if (this.row === null) return;
    if (this.row.cells++ > 0) this.out.blank();
    this.out.write('| ');
    this.out.cells = 1;
  }

  private startRow(): void {
    if (this.row !== null) this.endRow();
    this.out.cells = 0;
    this.out.newline(1);
    this.row = { cells: 0, first: this.tableRows++ === 0 };
  }

  private endRow(): void {
    const row = this.row;
    this.row = null;
    this.out.cells = 0;
    if (row === null || row.cells === 0) return;
    this.out.write(' |', true);
    if (row.first) {
      this.out.newline(1);
      this.out.write(`|${' --- |'.repeat(Math.max(row.cells, 1))}`);
    }
    this.out.newline(1);
  }
}

/** HTML → Markdown in time linear in the input, whatever its shape. */
export function htmlToMarkdownLinear(html: string): string {
  const c = new Converter(html);
  scanHtml(html, { text: (start, end) => c.text(start, end), tag: (t) => c.tag(t) });
  return c.finish();
}
